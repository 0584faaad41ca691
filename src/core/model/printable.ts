// Text from outside (a server's message, an exception) made safe to print: no ANSI escape sequences or control
// characters that could rewrite the terminal or break a log line, and a bounded length. Pure.

// CSI (`ESC [ ... final`), OSC (`ESC ] ... BEL|ESC \`) and other two-character escapes.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001B(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001B]*(?:\u0007|\u001B\\)?|[@-Z\\-_])/g
// Every C0/C1 control character and DEL, except tab and newline.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g

/** Longest outside message tsq prints, in characters. */
export const MAX_PRINTED_MESSAGE = 500

/** `text` without escape sequences and control characters (tabs and newlines kept), cut to `max` characters with `…`. */
export function printable(text: string, max = MAX_PRINTED_MESSAGE): string {
  const clean = text.replace(ANSI, '').replace(/\r\n?/g, '\n').replace(CONTROL, '')
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean
}
