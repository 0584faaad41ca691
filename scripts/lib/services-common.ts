// What the throwaway Redis and Postgres servers share: free ports, child processes that are reaped even
// when a test fails or the worker exits, and polling until a server answers.
import {type ChildProcess, spawn, type SpawnOptions} from 'node:child_process'
import {closeSync, mkdtempSync, openSync, readFileSync, rmSync} from 'node:fs'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

/** A port the kernel just handed out on 127.0.0.1; free unless someone grabs it before the server binds it. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')))
    })
  })
}

export function makeTempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

// A server must not outlive the test process, and vitest ends its fork workers with SIGTERM, which runs no
// 'exit' handler. So a detached shell watches this process and, once it is gone, stops the server and
// removes its directory; stopping the server normally disarms it.
const WATCHDOG = `
while kill -0 "$TSQ_PARENT" 2>/dev/null; do sleep 0.5; done
if [ -n "$TSQ_SERVER" ]; then
  kill -"$TSQ_SIGNAL" "$TSQ_SERVER" 2>/dev/null
  for i in $(seq 50); do kill -0 "$TSQ_SERVER" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$TSQ_SERVER" 2>/dev/null
fi
rm -rf "$TSQ_DIR"
`

/** When this process dies: stops `server` (if given) with its signal and removes `dir`. Returns the disarm function. */
export function guard(dir: string, server?: {pid: number, signal: NodeJS.Signals}): () => void {
  const env = {PATH: process.env.PATH ?? '/usr/bin:/bin', TSQ_PARENT: String(process.pid), TSQ_DIR: dir,
    TSQ_SERVER: server ? String(server.pid) : '', TSQ_SIGNAL: server ? server.signal.replace(/^SIG/, '') : ''}
  const watchdog = spawn('sh', ['-c', WATCHDOG], {detached: true, stdio: 'ignore', env})
  watchdog.unref()
  return () => {
    // The watchdog leads its own process group: end it together with its sleep.
    if (watchdog.pid !== undefined && watchdog.exitCode === null) {
      try {
        process.kill(-watchdog.pid, 'SIGKILL')
      } catch {
        // Already gone.
      }
    }
  }
}

export function removeDir(dir: string): void {
  rmSync(dir, {recursive: true, force: true, maxRetries: 3})
}

/** A server process whose stdout and stderr go to `logFile`, so a failed start can say why. */
export interface Child {
  process: ChildProcess
  exited: Promise<number | null>
  logFile: string
}

/** Spawns a server guarded by a watchdog (see guard) that its exit disarms. */
export function spawnServer(command: string, args: string[], logFile: string, onDeath: {signal: NodeJS.Signals, dir: string},
  options: SpawnOptions = {}): Child {
  const fd = openSync(logFile, 'a')
  const child = spawn(command, args, {...options, stdio: ['ignore', fd, fd]})
  closeSync(fd)
  const disarm = child.pid === undefined ? () => {} : guard(onDeath.dir, {pid: child.pid, signal: onDeath.signal})
  const exited = new Promise<number | null>(resolve => {
    child.once('exit', code => resolve(code))
    child.once('error', () => resolve(-1))
  }).finally(disarm)
  return {process: child, exited, logFile}
}

export function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n')
  } catch {
    return '(no log)'
  }
}

/** Sends `signal`, then SIGKILL if the process is still there after `graceMs`. */
export async function stopChild(child: Child, signal: NodeJS.Signals, graceMs = 5000): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return
  child.process.kill(signal)
  let timer: NodeJS.Timeout | undefined
  const killed = new Promise<void>(resolve => {
    timer = setTimeout(() => {
      child.process.kill('SIGKILL')
      resolve()
    }, graceMs)
  })
  await Promise.race([child.exited, killed])
  clearTimeout(timer)
  await child.exited
}

/**
 * Polls `probe` until it returns true. Fails early when the server process exits, with the end of its log;
 * `deadlineMs` only bounds a server that neither starts nor dies.
 */
export async function waitUntil(probe: () => Promise<boolean>, child: Child, what: string, deadlineMs = 20_000): Promise<void> {
  let dead = false
  void child.exited.then(() => {
    dead = true
  })
  const deadline = Date.now() + deadlineMs
  while (Date.now() < deadline) {
    if (dead) throw new Error(`${what} exited during start:\n${tail(child.logFile)}`)
    if (await probe()) return
    await new Promise(resolve => setTimeout(resolve, 25))
  }
  throw new Error(`${what} did not answer within ${deadlineMs} ms:\n${tail(child.logFile)}`)
}
