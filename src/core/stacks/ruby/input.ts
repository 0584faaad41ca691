// Limits every Ruby-app reader applies before looking at a file: the caller reads files, the readers only
// ever see text, and text that is binary or too large is one `unknown`, never a throw or a hang.

/** Larger config files than this are not read (real ones are a few KiB). */
export const MAX_INPUT_BYTES = 256 * 1024

/** Why `text` is not read at all, or null when it may be. */
export function unreadableInput(text: string, file: string): string | null {
  // Characters, not bytes, are cheap to count; a character is at least one byte, so this never lets more through.
  if (text.length > MAX_INPUT_BYTES || Buffer.byteLength(text, 'utf8') > MAX_INPUT_BYTES) {
    return `${file}: binary or too large (over ${MAX_INPUT_BYTES / 1024} KiB), not read`
  }
  if (text.includes('\0')) return `${file}: binary or too large (contains NUL bytes), not read`
  return null
}
