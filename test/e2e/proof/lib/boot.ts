// Boots an app directory's Procfile types as a local formation and waits until every process is ready.
import {type Dyno, Formation} from '../../../helpers/formation.js'
import type {AppDir} from './app-dir.js'

/** The runtime's ready line: `tsq web.1[4242] ready role=web redis=1/1 db=2/2` (held/predicted). */
export const TSQ_READY = / ready role=\w+ redis=\d+\/\d+ db=\d+\/\d+/
/** The naive app's lines once a process listens or works (it opens connections lazily). */
export const NAIVE_READY = /\] (listening|working on)/

export interface BootOptions {
  codeDir: string
  /** Dynos per type, e.g. `{web: 2, worker: 2}`; numbered from `from` (default 1). */
  scale: Record<string, number>
  /** Processes per dyno of each type, to wait for one ready line each. */
  processes: Record<string, number>
  ready: RegExp
  /** Extra config vars over the .env (e.g. job timings). */
  env?: Record<string, string>
  from?: number
  restartCrashedAfterMs?: number
  /** An existing formation to add the dynos to (a deploy's overlap). */
  formation?: Formation
}

export async function boot(app: AppDir, o: BootOptions): Promise<{formation: Formation, dynos: Dyno[]}> {
  const procfile = Object.fromEntries(Object.entries(app.procfile()).filter(([type]) => type !== 'release'))
  const formation = o.formation ?? new Formation({procfile, cwd: o.codeDir, env: {...app.env(), ...o.env},
    restartCrashedAfterMs: o.restartCrashedAfterMs})
  const dynos = (await Promise.all(Object.entries(o.scale).map(([type, n]) => formation.scale(type, n, o.from ?? 1)))).flat()
  await Promise.all(dynos.map(d => formation.waitFor(d.name, o.ready, o.processes[d.type] ?? 1, 120_000)))
  return {formation, dynos}
}

/** Ports of the web dynos that are running and not being stopped. */
export function webPorts(formation: Formation): number[] {
  return [...formation.dynos.values()].filter(d => d.type === 'web' && !d.stopped && d.port !== null).map(d => d.port!)
}

/** `redis=1/1 db=2/2` of every ready line: what each process held against what it was sized for. */
export function heldVsPredicted(lines: readonly string[]): Array<{redis: [number, number], db: [number, number]}> {
  return lines.map(l => /redis=(\d+)\/(\d+) db=(\d+)\/(\d+)/.exec(l)).filter(m => m !== null)
    .map(m => ({redis: [Number(m[1]), Number(m[2])], db: [Number(m[3]), Number(m[4])]}))
}
