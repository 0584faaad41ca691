// One-line logs for Heroku's log router: `tsq <dyno>[<pid>] <message> key=value ...`, info on stdout,
// warnings and errors on stderr. Every line is redacted: a URL with a password never shows, nor do the
// passwords of the process's own Redis and Postgres URLs wherever a library's message repeats them.
import {Redactor} from '../core/model/redact.js'
import type {Settings} from '../core/model/settings.js'

export type LogFields = Readonly<Record<string, unknown>>

export interface Logger {
  info(message: string, fields?: LogFields): void
  warn(message: string, fields?: LogFields): void
  error(message: string, fields?: LogFields): void
}

export interface LogSink {
  stdout(line: string): void
  stderr(line: string): void
}

const processSink: LogSink = {
  stdout: line => process.stdout.write(line),
  stderr: line => process.stderr.write(line),
}

/** A logger whose lines name the dyno and pid; `sink` is for tests. */
export function createLogger(settings: Pick<Settings, 'dyno'> & Partial<Pick<Settings, 'redisUrl' | 'databaseUrl'>>, sink: LogSink = processSink): Logger {
  // Named as URL variables, so a value that is not a URL (a bare password) is hidden whole.
  const redactor = new Redactor().addVars({REDIS_URL: settings.redisUrl, DATABASE_URL: settings.databaseUrl})
  const line = (level: string, message: string, fields?: LogFields) =>
    `${formatLogLine(`tsq ${settings.dyno}[${process.pid}]`, level, message, fields, redactor)}\n`
  return {
    info: (message, fields) => sink.stdout(line('info', message, fields)),
    warn: (message, fields) => sink.stderr(line('warn', message, fields)),
    error: (message, fields) => sink.stderr(line('error', message, fields)),
  }
}

/** The text of one log line, without its newline: redacted, and never more than one line. */
export function formatLogLine(prefix: string, level: string, message: string, fields: LogFields = {}, redactor = new Redactor()): string {
  const head = level === 'info' ? `${prefix} ${message}` : `${prefix} ${level}: ${message}`
  const tail = Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${formatValue(value)}`)
  return redactor.text([head, ...tail].join(' ')).replace(/[\r\n]+/g, ' ')
}

function formatValue(value: unknown): string {
  if (value instanceof Error) {
    const code = (value as {code?: unknown}).code
    return JSON.stringify(typeof code === 'string' ? `${code}: ${value.message}` : value.message)
  }
  const text = typeof value === 'string' ? value : typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)
  return /^[^\s"=]+$/.test(text) ? text : JSON.stringify(text)
}
