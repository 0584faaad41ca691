// `npm run demo` (dist/scripts/demo.js, which `npm test` has built): the four stages of the story on the Node
// example and, when Ruby's gems are installed, on the Rails example, with the exit codes each stage shows;
// and that nothing it started outlives it — after the story, after Ctrl-C in the middle, and after --keep's
// SIGTERM. Without Ruby (a PATH without ruby and bundle) it plays the Node story and names the apt command;
// without redis-server it names what is missing. No wall-clock assertion: the machine may be loaded.
import {type ChildProcess, execFileSync, spawn} from 'node:child_process'
import {chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, symlinkSync} from 'node:fs'
import {connect} from 'node:net'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {makeTempDir, removeDir} from '../../scripts/lib/services-common.js'
import {ROOT} from '../../scripts/demo/story.js'

const DEMO = join(ROOT, 'dist/scripts/demo.js')
const RUBY_INSTALL = 'apt-get install -y --no-install-recommends ruby ruby-rails puma ruby-sidekiq ruby-pg ruby-redis'

const hasRubyStack = (() => {
  try {
    execFileSync('bundle', ['--version'], {stdio: 'ignore'})
    execFileSync('ruby', ['-e', 'gem "rails", "~> 6.1"; gem "sidekiq"; gem "puma"; gem "pg"'], {stdio: 'ignore'})
    return true
  } catch {
    return false
  }
})()

const tempDirs: string[] = []
const running = new Set<ChildProcess>()

afterAll(() => {
  for (const child of running) child.kill('SIGKILL')
  for (const dir of tempDirs) removeDir(dir)
})

interface DemoRun {
  pid: number
  code: number | null
  output: string
}

/** Runs the demo; `until` (pattern → signal) sends a signal once the output matches. */
function runDemo(args: string[], options: {path?: string, until?: {pattern: RegExp, signal: NodeJS.Signals}} = {}): Promise<DemoRun> {
  return new Promise((resolve, reject) => {
    const env = {PATH: options.path ?? process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8'}
    const child = spawn(process.execPath, [DEMO, ...args], {cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe']})
    running.add(child)
    let output = ''
    let signalled = false
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      if (options.until && !signalled && options.until.pattern.test(output)) {
        signalled = true
        child.kill(options.until.signal)
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('error', reject)
    child.once('exit', code => {
      running.delete(child)
      resolve({pid: child.pid!, code, output})
    })
  })
}

/** One story's text: from its ══ title to the next ══. */
function section(output: string, name: 'Node' | 'Rails'): string {
  const start = output.indexOf(`══ ${name}:`)
  if (start < 0) return ''
  const end = output.indexOf('\n══ ', start + 1)
  return output.slice(start, end < 0 ? undefined : end)
}

/** A stage's text within a story: from `── <n>.` to the next `── `. */
function stage(story: string, n: number): string {
  const start = story.indexOf(`── ${n}. `)
  if (start < 0) return ''
  const end = story.indexOf('\n── ', start + 1)
  return story.slice(start, end < 0 ? undefined : end)
}

function expectStory(output: string, name: 'Node' | 'Rails'): void {
  const story = section(output, name)
  expect(story, output).not.toBe('')
  const [one, two, three, four] = [1, 2, 3, 4].map(n => stage(story, n)) as [string, string, string, string]
  expect(one).toMatch(/tsq:doctor --local/)
  expect(one).toMatch(/exit 1: \d+ failing checks?/)
  expect(one).toMatch(/✖ postgres\.(connections|pool) /)
  expect(one).toMatch(/✔ tsq:doctor fails/)
  const errors = Number(/(\d+) connection errors? in the apps' logs/.exec(two)?.[1])
  expect(errors, two).toBeGreaterThan(0)
  expect(two).toMatch(/✔ the connection errors tsq:doctor predicted happen/)
  expect(three).toMatch(/tsq:setup --local --dir \S+ --force/)
  expect(three).toMatch(/Done: \d+ changes? applied\./)
  expect(three).toMatch(/✔ tsq:setup applied its changes/)
  expect(four).toMatch(/exit 0: no failing check/)
  expect(four).toMatch(/\b0 connection errors in the apps' logs/)
  for (const held of ['tsq:doctor passes', 'no connection error, every request answered', 'every job done once',
    'every connection is attributed to its process and purpose', 'the measured peaks are within the prediction']) {
    expect(four).toContain(`✔ ${held}`)
  }
  expect(four).toMatch(/predicted by tsq:doctor +measured peak/)
  // No check of the story failed: every ✖ is one of the doctor's failing checks in stage 1.
  expect([two, three, four].join('\n')).not.toMatch(/ ✖ /)
}

/** The throwaway servers' ports and the scratch dir the demo announced. */
function resources(output: string): {ports: number[], tempRoot: string | null} {
  const ports = [...output.matchAll(/on 127\.0\.0\.1:(\d+)/g)].map(m => Number(m[1]))
  return {ports: [...new Set(ports)], tempRoot: /scratch copies in (\S+)/.exec(output)?.[1] ?? null}
}

/** Processes that still belong to the demo: its watchdogs (TSQ_PARENT=<pid>), or anything naming one of its ports. */
function leftovers(demoPid: number, ports: readonly number[]): string[] {
  const found: string[] = []
  const portPattern = ports.length ? new RegExp(`(127\\.0\\.0\\.1:|port=)(${ports.join('|')})\\b`) : null
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue
    let cmdline = ''
    let environ = ''
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ')
      environ = readFileSync(`/proc/${entry}/environ`, 'utf8').replace(/\0/g, '\n')
    } catch {
      continue
    }
    if (environ.split('\n').includes(`TSQ_PARENT=${demoPid}`) || (portPattern && portPattern.test(`${cmdline}\n${environ}`))) {
      let cwd = ''
      try {
        cwd = readlinkSync(`/proc/${entry}/cwd`)
      } catch {
        // gone meanwhile
      }
      found.push(`${entry} (${cwd}): ${cmdline}`)
    }
  }
  return found
}

function refuses(port: number): Promise<boolean> {
  return new Promise(resolve => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(false)
    })
    socket.once('error', () => resolve(true))
  })
}

/** Nothing the demo started is left: no process, no listening server, no scratch dir (watchdogs get a few seconds). */
async function expectNothingLeft(run: DemoRun): Promise<void> {
  const {ports, tempRoot} = resources(run.output)
  expect(ports.length, run.output).toBeGreaterThan(0)
  let left = leftovers(run.pid, ports)
  for (let i = 0; i < 50 && left.length > 0; i++) {
    await new Promise(resolve => setTimeout(resolve, 200))
    left = leftovers(run.pid, ports)
  }
  expect(left).toEqual([])
  expect(await Promise.all(ports.map(refuses))).toEqual(ports.map(() => true))
  expect(tempRoot).not.toBeNull()
  expect(existsSync(tempRoot!)).toBe(false)
}

/** A PATH directory with every program of this PATH except `without` (symlinks). */
function pathWithout(without: readonly string[]): string {
  const dir = makeTempDir('tsq-demo-path-')
  tempDirs.push(dir)
  // The throwaway Postgres runs as the postgres user when this is root: it must reach the programs too.
  chmodSync(dir, 0o755)
  const bin = join(dir, 'bin')
  mkdirSync(bin)
  for (const d of (process.env.PATH ?? '').split(':')) {
    if (!d || !existsSync(d)) continue
    for (const name of readdirSync(d)) {
      if (without.includes(name) || existsSync(join(bin, name))) continue
      symlinkSync(join(d, name), join(bin, name))
    }
  }
  return bin
}

describe('npm run demo', () => {
  it(`plays the four stages on the Node example${hasRubyStack ? ' and the Rails example' : ''}, exits 0 and leaves nothing running`, async () => {
    const run = await runDemo([])
    expect(run.code, run.output).toBe(0)
    expectStory(run.output, 'Node')
    if (hasRubyStack) expectStory(run.output, 'Rails')
    else expect(run.output).toContain(RUBY_INSTALL)
    expect(run.output).toMatch(/The story holds/)
    await expectNothingLeft(run)
  }, 600_000)

  it('Ctrl-C (SIGINT) in the middle of a stage stops everything it started and exits 130', async () => {
    const run = await runDemo([], {until: {pattern: /── 2\. [^\n]*\n[^\n]*\n[^\n]*load: /, signal: 'SIGINT'}})
    expect(run.code, run.output).toBe(130)
    expect(run.output).toMatch(/SIGINT: stopping everything the demo started/)
    expect(run.output).not.toMatch(/The story holds/)
    await expectNothingLeft(run)
  }, 300_000)

  it('without Ruby: the Node story and the apt-get line; --keep leaves the app answering until SIGTERM, then stops everything', async () => {
    let answered: number | null = null
    const path = pathWithout(['ruby', 'bundle'])
    const run = await new Promise<DemoRun>((resolve, reject) => {
      // --keep waits for a signal: once it lists what it kept, ask the app, then send SIGTERM.
      const env = {PATH: path, HOME: process.env.HOME, LANG: 'C.UTF-8'}
      const child = spawn(process.execPath, [DEMO, '--keep'], {cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe']})
      running.add(child)
      let output = ''
      let asked = false
      const onData = (chunk: Buffer) => {
        output += chunk.toString()
        if (!asked && /--keep: still running until Ctrl-C[\s\S]*scratch copies: /.test(output)) {
          asked = true
          const url = /Node web\.1 answers on (http:\S+)/.exec(output)?.[1] ?? 'http://127.0.0.1:1/'
          void fetch(url, {signal: AbortSignal.timeout(30_000)}).then(res => {
            answered = res.status
          }, () => {
            answered = 0
          }).finally(() => child.kill('SIGTERM'))
        }
      }
      child.stdout!.on('data', onData)
      child.stderr!.on('data', onData)
      child.once('error', reject)
      child.once('exit', code => {
        running.delete(child)
        resolve({pid: child.pid!, code, output})
      })
    })
    expect(run.code, run.output).toBe(0)
    expectStory(run.output, 'Node')
    expect(section(run.output, 'Rails')).toBe('')
    expect(run.output).toContain(`Rails story skipped: ruby is not installed. To play it too: ${RUBY_INSTALL}`)
    expect(answered).toBe(200)
    expect(run.output).toMatch(/SIGTERM: stopping everything the demo started/)
    await expectNothingLeft(run)
  }, 400_000)

  it('without redis-server: names what is missing and the apt-get command, exits 1 and starts nothing', async () => {
    const run = await runDemo([], {path: pathWithout(['redis-server'])})
    expect(run.code, run.output).toBe(1)
    expect(run.output).toContain('redis-server (not in PATH)')
    expect(run.output).toContain('apt-get install -y --no-install-recommends redis-server')
    expect(run.output).not.toMatch(/══/)
  }, 60_000)
})
