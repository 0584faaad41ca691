// Pure parsing for the live probes: Redis INFO and CLIENT LIST text, and the tsq connection names the
// runtime gives its connections (spec §7), so live connections can be attributed to dyno and purpose.

/** `INFO` text → its `field:value` pairs (section headers and blank lines skipped). */
export function parseInfo(text: string): Record<string, string> {
  const fields: Record<string, string> = {}
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    if (!line || line.startsWith('#')) continue
    const colon = line.indexOf(':')
    if (colon > 0) fields[line.slice(0, colon)] = line.slice(colon + 1)
  }
  return fields
}

/**
 * `CLIENT LIST` text → one record per client. Fields are `k=v` separated by spaces and split on the first
 * `=` (values such as `cmd=client|list` or a name may hold `=`; names cannot hold spaces).
 */
export function parseClientList(text: string): Array<Record<string, string>> {
  const clients: Array<Record<string, string>> = []
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) continue
    const client: Record<string, string> = {}
    for (const field of line.trim().split(' ')) {
      const eq = field.indexOf('=')
      if (eq > 0) client[field.slice(0, eq)] = field.slice(eq + 1)
    }
    clients.push(client)
  }
  return clients
}

export interface TsqName {
  dyno: string
  pid: number
  /** `producer`, `consumer`, `blocking`…; null for a Postgres `application_name` (`tsq:<dyno>:<pid>`). */
  purpose: string | null
}

// `tsq:<dyno>:<pid>[:<purpose>]` at the end of the name, standing alone or after a `:`, because BullMQ puts
// its own prefix before a Worker's name: `bull:<base64 queue>:w:tsq:worker.1:4242:blocking`.
const TSQ_NAME = /(?:^|:)tsq:([^:\s]+):(\d+)(?::([^:\s]+))?$/

/** The dyno, pid and purpose a tsq connection name carries; null for any other name. */
export function parseTsqName(name: string): TsqName | null {
  const match = TSQ_NAME.exec(name)
  if (!match) return null
  return {dyno: match[1]!, pid: Number(match[2]), purpose: match[3] ?? null}
}

export interface Attribution {
  attributed: Array<{dyno: string, purpose: string, count: number}>
  unattributed: number
  /** Unattributed connections whose name still tells the program: Ruby's pg names a connection after the
   *  process title (`puma: cluster worker 0: 4242 [app]`, `sidekiq 6.4.1 app [0 of 20 busy]`). */
  unnamedBy?: Record<string, number>
}

/** The program an untagged connection name reveals (a process title), or null. */
export function programOfName(name: string): string | null {
  if (/^puma(?::| \d)/.test(name)) return 'puma'
  if (/^sidekiq \d/.test(name)) return 'sidekiq'
  if (/^(?:bin\/)?rails[: ]|^rake\b/.test(name)) return 'rails'
  return null
}

/**
 * Counts connections by dyno and purpose from their names; names without a tsq name count as unattributed.
 * `defaultPurpose` stands in for a name without one (Postgres pools: `db`). Groups are sorted by dyno, purpose.
 */
export function attribute(names: ReadonlyArray<string | null | undefined>, defaultPurpose: string): Attribution {
  const groups = new Map<string, {dyno: string, purpose: string, count: number}>()
  let unattributed = 0
  const unnamedBy: Record<string, number> = {}
  for (const name of names) {
    const parsed = name ? parseTsqName(name) : null
    if (!parsed) {
      unattributed++
      const program = name ? programOfName(name) : null
      if (program) unnamedBy[program] = (unnamedBy[program] ?? 0) + 1
      continue
    }
    const purpose = parsed.purpose ?? defaultPurpose
    const key = `${parsed.dyno}\n${purpose}`
    const group = groups.get(key) ?? {dyno: parsed.dyno, purpose, count: 0}
    group.count++
    groups.set(key, group)
  }
  const attributed = [...groups.values()].sort((a, b) =>
    a.dyno < b.dyno ? -1 : a.dyno > b.dyno ? 1 : a.purpose < b.purpose ? -1 : a.purpose > b.purpose ? 1 : 0)
  return Object.keys(unnamedBy).length > 0 ? {attributed, unattributed, unnamedBy} : {attributed, unattributed}
}
