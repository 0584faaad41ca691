// The one redaction function every output path goes through: no password or token from a URL or a
// config var may reach stdout, stderr, JSON, logs or error messages.

const MASK = '*****'
// Too short or too common to mask in free text (masking `postgres` would rewrite check ids and host names);
// inside a URL they are still masked by redactUrl.
const MIN_SECRET = 6
const COMMON_WORDS = /^(postgres(ql)?|redis|password|secret|default|admin|root|user|worker|web|local(host)?)$/i
const SECRET_NAME = /(KEY|TOKEN|SECRET|PASSWORD|PASS|CREDENTIALS?|AUTH)(_|$)/i
// A URL's userinfo runs to its LAST `@`: a password may hold `@` or `/` unencoded (WHATWG URL still parses
// `redis://:p@ss@host`, and the runtime connects with it), so stopping at the first `@` or `/` would print the
// rest of it. A URL ends at whitespace or a quote; masking too much of an odd URL is the safe side.
const URL_IN_TEXT = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s:/"'<>]*)(?::([^\s"'<>]*))?@/gi

// Query parameters that carry a credential (`?password=`, libpq's `sslpassword=`, `?token=`, `?api_key=`...).
const SECRET_PARAM = /([?&;](?:[a-z_]*pass(?:word|wd)?|pwd|secret|[a-z_]*token|api_?key|apikey|key|auth|credentials?)=)([^&;\s"'<>#]*)/gi
// A whole variable value that is a URL: its userinfo runs to the last `@`, whatever it holds (spaces, quotes).
const URL_VALUE = /^\s*[a-z][a-z0-9+.-]*:\/\/([^]*)@/i
// Variables that hold a URL: a value that does not parse as one may be a bare password, so it is hidden whole.
const URL_NAME = /_UR[LI]$/i

/** A URL with its password (and userinfo-only token) and credential query parameters replaced by a mask. */
export function redactUrl(url: string): string {
  return url.replace(URL_IN_TEXT, (_m, scheme: string, user: string, password: string | undefined) =>
    password === undefined ? `${scheme}${user ? MASK : ''}@` : `${scheme}${user}:${MASK}@`)
    .replace(SECRET_PARAM, (_m, name: string, value: string) => value ? `${name}${MASK}` : name)
}

// In text nobody can parse (a server's message or warning), a URL whose userinfo holds a space or a quote has no
// end that can be found: everything from its scheme to the last `@` before the next URL on the line is masked.
const LOOSE_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)((?:(?![a-z][a-z0-9+.-]*:\/\/)[^\n])*)@/gi

/** redactUrl for free text from elsewhere: also masks a userinfo that holds spaces or quotes, to its last `@`. */
export function redactFreeText(text: string): string {
  return redactUrl(text).replace(LOOSE_USERINFO, (match, scheme: string, userinfo: string) =>
    /[\s"'<>]/.test(userinfo) ? `${scheme}${MASK}@` : match)
}

/**
 * Every secret worth hiding that a set of config vars holds: URL passwords (whole, even with spaces or quotes),
 * credential query parameters, the values of secret-named vars, and the value of a URL variable that is not a URL.
 */
export function secretsOf(vars: Readonly<Record<string, string | null | undefined>>): string[] {
  const found = new Set<string>()
  for (const [name, value] of Object.entries(vars)) {
    if (!value) continue
    // Only a password is secret; a user name alone (`postgres://app@host`) is not.
    for (const match of value.matchAll(URL_IN_TEXT)) if (match[3]) found.add(match[3])
    const userinfo = URL_VALUE.exec(value)?.[1]
    const colon = userinfo?.indexOf(':') ?? -1
    if (userinfo && colon >= 0 && colon < userinfo.length - 1) found.add(userinfo.slice(colon + 1))
    for (const match of value.matchAll(SECRET_PARAM)) if (match[2]) found.add(safeDecode(match[2]) ?? match[2])
    if (SECRET_NAME.test(name) && value.length >= 4) found.add(value)
    if (URL_NAME.test(name) && !parsesAsUrl(value) && value.trim().length >= 4) found.add(value.trim())
  }
  return [...found]
}

/** True when `value` is an absolute URL the WHATWG parser (and so the runtime) accepts. */
export function parsesAsUrl(value: string): boolean {
  try {
    return new URL(value).protocol !== ''
  } catch {
    return false
  }
}

/** Scrubs text of known secrets (and their URL-encoded forms) and of any password embedded in a URL. */
export class Redactor {
  private readonly secrets = new Set<string>()

  constructor(secrets: Iterable<string> = []) {
    this.add(secrets)
  }

  add(secrets: Iterable<string>): this {
    for (const s of secrets) {
      for (const form of [s, safeDecode(s), encodeURIComponent(s)]) if (form && worthMasking(form)) this.secrets.add(form)
    }
    return this
  }

  addVars(vars: Readonly<Record<string, string | null | undefined>>): this {
    return this.add(secretsOf(vars))
  }

  text(input: string): string {
    let out = redactUrl(input)
    // Longest first, so a secret that contains another is masked whole.
    for (const s of [...this.secrets].sort((a, b) => b.length - a.length)) out = out.split(s).join(MASK)
    return out
  }

  /**
   * A JSON-able deep copy of any value with every string scrubbed. Survives what an error object may hold:
   * cycles become `[Circular]`, getters that throw are skipped, functions and symbols are dropped, and depth,
   * array length and object width are bounded (MAX_DEPTH, MAX_ITEMS), so a command never crashes printing it.
   */
  value<T>(input: T): T {
    return this.walk(input, new Set(), 0) as T
  }

  private walk(input: unknown, ancestors: Set<object>, depth: number): unknown {
    if (typeof input === 'string') return this.text(input)
    if (typeof input === 'number' || typeof input === 'boolean' || input === null) return input
    if (typeof input === 'bigint') return input.toString()
    if (typeof input !== 'object') return undefined
    if (ancestors.has(input)) return '[Circular]'
    if (depth >= MAX_DEPTH) return '[Too deep]'
    const toJSON = read(input, 'toJSON')
    if (typeof toJSON === 'function' && !Array.isArray(input)) {
      let json: unknown
      try {
        json = (toJSON as () => unknown).call(input)
      } catch {
        return undefined
      }
      if (json !== input) return this.walk(json, ancestors, depth)
    }
    ancestors.add(input)
    try {
      if (Array.isArray(input)) {
        const out = input.slice(0, MAX_ITEMS).map(v => this.walk(v, ancestors, depth + 1) ?? null)
        if (input.length > MAX_ITEMS) out.push(`[${input.length - MAX_ITEMS} more]`)
        return out
      }
      const out: Record<string, unknown> = {}
      let keys: string[]
      try {
        keys = Object.keys(input)
      } catch {
        return {}
      }
      for (const key of keys.slice(0, MAX_ITEMS)) {
        const v = this.walk(read(input, key), ancestors, depth + 1)
        if (v !== undefined) out[key] = v
      }
      return out
    } finally {
      ancestors.delete(input)
    }
  }
}

const MAX_DEPTH = 64
const MAX_ITEMS = 10_000

/** A property, or undefined when its getter (or a proxy trap) throws. */
function read(object: object, key: string): unknown {
  try {
    return (object as Record<string, unknown>)[key]
  } catch {
    return undefined
  }
}

function worthMasking(s: string): boolean {
  return s.length >= MIN_SECRET && !COMMON_WORDS.test(s)
}

function safeDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s)
  } catch {
    return undefined
  }
}

export const REDACTION_MASK = MASK
