// Colour and status symbols for human output. The command decides whether colour is on (TTY, NO_COLOR,
// FORCE_COLOR); renderers only take the decision, so they stay pure and their output is testable.
import type {Status} from '../core/budget/budget.js'

export interface Style {
  color: boolean
}

const CODES = {red: [31, 39], yellow: [33, 39], green: [32, 39], dim: [2, 22], bold: [1, 22], cyan: [36, 39]} as const
export type Paint = keyof typeof CODES

export function paint(style: Style, kind: Paint, text: string): string {
  if (!style.color || text === '') return text
  const [open, close] = CODES[kind]
  return `\u001B[${open}m${text}\u001B[${close}m`
}

const SYMBOL: Record<Status, string> = {fail: '✖', warn: '▲', ok: '✔'}
const COLOR: Record<Status, Paint> = {fail: 'red', warn: 'yellow', ok: 'green'}

/** `✖ fail` / `▲ warn` / `✔ ok`, coloured when colour is on; the word keeps it readable without colour. */
export function statusLabel(style: Style, status: Status): string {
  return paint(style, COLOR[status], `${SYMBOL[status]} ${status.padEnd(4)}`)
}

/** Whether to colour output written to a stream, following NO_COLOR (no-color.org) and FORCE_COLOR. */
export function wantsColor(env: Readonly<Record<string, string | undefined>>, isTTY: boolean): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false'
  return isTTY && env.TERM !== 'dumb'
}

/** Visible width of a string that may contain ANSI colour codes. */
export function visibleLength(text: string): number {
  // eslint-disable-next-line no-control-regex
  return [...text.replace(/\u001B\[[0-9;]*m/g, '')].length
}
