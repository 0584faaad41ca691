// Runs the plugin the ways users do, fully offline: through the REAL `heroku` CLI (node_modules/.bin/heroku)
// with this package linked by `heroku plugins:link --no-install`, and through the standalone `bin/run.js`.
// Every run gets an isolated HOME and XDG dirs, the variables of ../shared/reference/real-heroku-cli.md
// (no update checks, no telemetry, no terms banner, the API on a local fake), stdin from /dev/null, and
// only the environment a test passes, so nothing from the developer's shell (HEROKU_APP, REDIS_URL...)
// leaks in. Needs a built package (`npm run build`: dist/ and oclif.manifest.json).
import {spawn} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {delimiter, dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const HEROKU_BIN = join(REPO_ROOT, 'node_modules', '.bin', 'heroku')
export const STANDALONE_BIN = join(REPO_ROOT, 'bin', 'run.js')

export interface CliResult {
  stdout: string
  stderr: string
  exitCode: number
  /** Wall time of the run in ms (for benchmarks; tests must not assert on it). */
  ms: number
}

export interface SandboxOptions {
  /** `http://127.0.0.1:PORT` of the fake Platform API: HEROKU_HOST and HEROKU_PARTICLEBOARD_URL. */
  apiUrl: string
  /** Data API host; default apiUrl. */
  dataUrl?: string
  /** Sent as `Authorization: Bearer <apiKey>` (HEROKU_API_KEY). */
  apiKey: string
  /** Link this package into the sandbox's heroku CLI (default true; false for standalone-only runs). */
  link?: boolean
  /** More variables for every run (NO_COLOR, HEROKU_APP...). */
  env?: Record<string, string>
}

export interface RunOptions {
  /** Variables for this run only; undefined removes one. */
  env?: Record<string, string | undefined>
  /** Working directory; default the sandbox's empty `work` dir (not a git repo, so no app from git remotes). */
  cwd?: string
  /** Kill the run after this many ms (default 60 000). */
  timeoutMs?: number
}

export interface HerokuSandbox {
  /** The isolated HOME. */
  home: string
  /** The empty working directory runs start in. */
  workDir: string
  /** The environment every run starts from. */
  env: Record<string, string>
  /** `heroku <args>` through the real CLI. */
  heroku(args: readonly string[], options?: RunOptions): Promise<CliResult>
  /** `bin/run.js <args>`: the plugin standalone. */
  standalone(args: readonly string[], options?: RunOptions): Promise<CliResult>
  cleanup(): void
}

/** Creates an isolated sandbox (and links the plugin into its heroku CLI unless `link: false`). */
export async function createHerokuSandbox(options: SandboxOptions): Promise<HerokuSandbox> {
  if (!existsSync(join(REPO_ROOT, 'dist', 'commands'))) throw new Error('dist/ is missing: run `npm run build` before the end-to-end tests')
  const home = mkdtempSync(join(tmpdir(), 'tsq-heroku-home-'))
  const xdg = {XDG_DATA_HOME: join(home, '.local', 'share'), XDG_CACHE_HOME: join(home, '.cache'), XDG_CONFIG_HOME: join(home, '.config')}
  for (const dir of Object.values(xdg)) mkdirSync(dir, {recursive: true})
  // An existing terms-of-service file skips the first-run banner on stderr.
  mkdirSync(join(xdg.XDG_CACHE_HOME, 'heroku'), {recursive: true})
  writeFileSync(join(xdg.XDG_CACHE_HOME, 'heroku', 'terms-of-service'), '')
  const workDir = join(home, 'work')
  mkdirSync(workDir)
  const env: Record<string, string> = {
    PATH: [dirname(process.execPath), ...(process.env.PATH ?? '').split(delimiter)].join(delimiter),
    HOME: home,
    ...xdg,
    // The CLI writes a git credential helper into the global git config on every run.
    GIT_CONFIG_GLOBAL: join(home, '.gitconfig'),
    HEROKU_SKIP_NEW_VERSION_CHECK: 'true',
    HEROKU_DISABLE_AUTOUPDATE: 'true',
    DISABLE_TELEMETRY: 'true',
    OCLIF_DISABLE_LINKED_ESM_WARNING: 'true',
    HEROKU_HOST: options.apiUrl,
    HEROKU_PARTICLEBOARD_URL: options.apiUrl,
    HEROKU_DATA_HOST: options.dataUrl ?? options.apiUrl,
    HEROKU_API_KEY: options.apiKey,
    LANG: process.env.LANG ?? 'C.UTF-8',
    ...(process.env.TMPDIR ? {TMPDIR: process.env.TMPDIR} : {}),
    ...options.env,
  }
  const sandbox: HerokuSandbox = {
    home,
    workDir,
    env,
    heroku: (args, o) => run(HEROKU_BIN, args, env, workDir, o),
    standalone: (args, o) => run(process.execPath, [STANDALONE_BIN, ...args], env, workDir, o),
    cleanup: () => rmSync(home, {recursive: true, force: true, maxRetries: 3}),
  }
  if (options.link ?? true) {
    const linked = await sandbox.heroku(['plugins:link', '--no-install', REPO_ROOT])
    if (linked.exitCode !== 0) {
      sandbox.cleanup()
      throw new Error(`heroku plugins:link --no-install failed (${linked.exitCode}):\n${linked.stderr}`)
    }
  }
  return sandbox
}

/** Spawns a command with stdin from /dev/null and collects its output and exit code. */
export function run(command: string, args: readonly string[], baseEnv: Record<string, string>, cwd: string, options: RunOptions = {}): Promise<CliResult> {
  const env: Record<string, string> = {...baseEnv}
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete env[k]
    else env[k] = v
  }
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], {cwd: options.cwd ?? cwd, env, stdio: ['ignore', 'pipe', 'pipe']})
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (b: Buffer) => out.push(b))
    child.stderr.on('data', (b: Buffer) => err.push(b))
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000)
    child.once('error', error => {
      clearTimeout(timer)
      reject(error)
    })
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      resolve({
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8') + (signal ? `\n[killed by ${signal}]` : ''),
        exitCode: code ?? 128,
        ms: performance.now() - started,
      })
    })
  })
}
