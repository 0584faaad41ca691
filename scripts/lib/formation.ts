// A local "formation": Procfile types run as child processes the way Heroku runs dynos. Each dyno gets
// DYNO=<type>.<n>, a PORT (web), the app's config vars and nothing else from this process; stopping one
// sends SIGTERM to every process of the dyno and SIGKILL 30 s later; a dyno whose command exits on its
// own can be restarted as Heroku restarts crashed dynos. Every output line is kept, for counting errors.
import {spawn} from 'node:child_process'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {freePort, makeTempDir, removeDir} from './services-common.js'

export interface FormationOptions {
  /** Procfile type → command, e.g. `{web: 'node app.js'}`. */
  procfile: Readonly<Record<string, string>>
  /** Directory the commands run in (the app's code). */
  cwd: string
  /** Config vars every dyno gets (what `.env` holds); DYNO and PORT are added per dyno. */
  env: Readonly<Record<string, string>>
  /** Restart a dyno whose command exited without being stopped, after this many ms; default: never. */
  restartCrashedAfterMs?: number
}

export interface DynoExit {
  code: number | null
  signal: NodeJS.Signals | null
}

export interface Dyno {
  /** `web.1`. */
  name: string
  type: string
  /** The PORT given to a web dyno; null for other types. */
  port: number | null
  /** The command's pid, which leads the dyno's process group. */
  pid: number
  /** stdout and stderr lines, in arrival order. */
  lines: string[]
  exited: Promise<DynoExit>
  /** True once stop() or kill() was called: its exit is not a crash. */
  stopped: boolean
}

/** Heroku's time between SIGTERM and SIGKILL. */
export const HEROKU_GRACE_MS = 30_000

// Dynos must not outlive the test process (vitest ends its workers with SIGTERM, which runs no exit
// handler): a detached shell waits for this process to go, then kills every process group listed in a file.
const WATCHDOG = `
while kill -0 "$TSQ_PARENT" 2>/dev/null; do sleep 0.5; done
for g in $(cat "$TSQ_GROUPS"); do kill -KILL -- "-$g" 2>/dev/null; done
rm -rf "$TSQ_DIR"
`

export class Formation {
  /** The current dyno of each name (a restarted dyno replaces the crashed one). */
  readonly dynos = new Map<string, Dyno>()
  /** Every dyno ever started, in order, including stopped and crashed ones. */
  readonly history: Dyno[] = []
  private readonly dir: string
  private readonly groupsFile: string
  /** Process groups of dynos still running, which the watchdog would kill. */
  private readonly groups = new Set<number>()
  private readonly watchdog: number | undefined
  private closed = false
  private stopping: Promise<void> | null = null

  constructor(private readonly options: FormationOptions) {
    const dir = this.dir = makeTempDir('tsq-formation-')
    this.groupsFile = join(dir, 'groups')
    writeFileSync(this.groupsFile, '')
    const env = {PATH: process.env.PATH ?? '/usr/bin:/bin', TSQ_PARENT: String(process.pid), TSQ_GROUPS: this.groupsFile, TSQ_DIR: dir}
    const watchdog = spawn('sh', ['-c', WATCHDOG], {detached: true, stdio: 'ignore', env})
    watchdog.unref()
    this.watchdog = watchdog.pid
  }

  /** Starts dynos `<type>.<from>` … `<type>.<from + count − 1>`. */
  async scale(type: string, count: number, from = 1): Promise<Dyno[]> {
    return Promise.all(Array.from({length: count}, (_, i) => this.start(`${type}.${from + i}`)))
  }

  /** Starts (or restarts) the dyno `name` (`web.1`); web dynos get a fresh free port. */
  async start(name: string): Promise<Dyno> {
    if (this.closed) throw new Error('the formation is stopped')
    const type = name.slice(0, name.lastIndexOf('.'))
    const command = this.options.procfile[type]
    if (!command) throw new Error(`no Procfile type ${type} (have ${Object.keys(this.options.procfile).join(', ')})`)
    const port = type === 'web' ? await freePort() : null
    const env: NodeJS.ProcessEnv = {PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C', ...this.options.env, DYNO: name}
    if (port !== null) env.PORT = String(port)
    const child = spawn('bash', ['-c', command], {cwd: this.options.cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe']})
    if (child.pid === undefined) throw new Error(`could not start ${name}: ${command}`)
    this.track(child.pid, true)
    const lines: string[] = []
    for (const stream of [child.stdout!, child.stderr!]) {
      let rest = ''
      stream.on('data', (chunk: Buffer) => {
        const parts = (rest + chunk.toString()).split('\n')
        rest = parts.pop() ?? ''
        lines.push(...parts.filter(Boolean))
      })
      stream.on('end', () => rest && lines.push(rest))
    }
    const dyno: Dyno = {name, type, port, pid: child.pid, lines, stopped: false, exited: new Promise<DynoExit>(resolve => {
      child.once('exit', (code, signal) => {
        // The dyno is gone with its command: like Heroku, take every process left in it along.
        signalGroup(child.pid!, 'SIGKILL')
        this.track(child.pid!, false)
        resolve({code, signal})
      })
    })}
    void dyno.exited.then(() => this.onExit(dyno))
    this.dynos.set(name, dyno)
    this.history.push(dyno)
    return dyno
  }

  /** SIGTERM to every process of the dyno, SIGKILL after `graceMs` (Heroku: 30 s); resolves with its exit. */
  async stop(name: string, graceMs = HEROKU_GRACE_MS): Promise<DynoExit> {
    const dyno = this.get(name)
    dyno.stopped = true
    // Only a group still running: a pid reused after the dyno exited must never be signalled.
    const signal = (sig: NodeJS.Signals) => this.groups.has(dyno.pid) && signalGroup(dyno.pid, sig)
    signal('SIGTERM')
    const timer = setTimeout(() => signal('SIGKILL'), graceMs)
    try {
      return await dyno.exited
    } finally {
      clearTimeout(timer)
    }
  }

  /** SIGKILL to every process of the dyno: a crash, which is restarted when `restartCrashedAfterMs` is set. */
  async crash(name: string): Promise<DynoExit> {
    const dyno = this.get(name)
    signalGroup(dyno.pid, 'SIGKILL')
    return dyno.exited
  }

  /**
   * Stops every dyno at once (SIGTERM, then SIGKILL after `graceMs`), restarts none, and ends the watchdog.
   * Once: a second call waits for the first (a pid is never signalled after its dyno is gone).
   */
  stopAll(graceMs = HEROKU_GRACE_MS): Promise<void> {
    this.stopping ??= (async () => {
      this.closed = true
      await Promise.all([...this.dynos.keys()].map(name => this.stop(name, graceMs)))
      if (this.watchdog !== undefined) signalGroup(this.watchdog, 'SIGKILL')
      removeDir(this.dir)
    })()
    return this.stopping
  }

  /** Every output line of every dyno so far, as `<dyno>: <line>`. */
  output(): string[] {
    return this.history.flatMap(d => d.lines.map(l => `${d.name}: ${l}`))
  }

  /** Waits until `pattern` matched `count` lines of dyno `name` (or of all dynos, for null); returns them. */
  async waitFor(name: string | null, pattern: RegExp, count = 1, ms = 60_000): Promise<string[]> {
    const source = () => (name === null ? this.output() : this.history.filter(d => d.name === name).flatMap(d => d.lines))
    const deadline = Date.now() + ms
    for (;;) {
      const found = source().filter(l => pattern.test(l))
      if (found.length >= count) return found
      if (Date.now() > deadline) {
        throw new Error(`${name ?? 'the formation'}: ${found.length} of ${count} lines matching ${pattern} within ${ms} ms; ` +
          `last output:\n${source().slice(-25).join('\n')}`)
      }
      await new Promise(resolve => setTimeout(resolve, 50))
    }
  }

  private track(pid: number, running: boolean): void {
    if (running) this.groups.add(pid)
    else this.groups.delete(pid)
    // Only groups still running: a pid reused after a dyno exited must never be killed.
    writeFileSync(this.groupsFile, [...this.groups].join('\n'))
  }

  private get(name: string): Dyno {
    const dyno = this.dynos.get(name)
    if (!dyno) throw new Error(`no dyno ${name}`)
    return dyno
  }

  private onExit(dyno: Dyno): void {
    const delay = this.options.restartCrashedAfterMs
    if (dyno.stopped || this.closed || delay === undefined || this.dynos.get(dyno.name) !== dyno) return
    setTimeout(() => {
      if (!this.closed && this.dynos.get(dyno.name) === dyno) void this.start(dyno.name).catch(() => undefined)
    }, delay)
  }
}

/** Sends `signal` to every process of the group led by `pid`; a group already gone is fine. */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal)
  } catch {
    // ESRCH: nothing left in the group.
  }
}
