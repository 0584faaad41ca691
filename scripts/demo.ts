// `npm run demo`: the guide's story in one command, on throwaway Postgres (max_connections 20) and Redis
// (maxclients 20) started from the machine's own binaries on free ports — Heroku's smallest plans. For the
// Node example and, when Debian's Ruby stack is installed, the Rails example: 1. the guide's settings fail
// tsq:doctor --local, which says why; 2. run with those settings under a short load, the apps log the
// connection errors it predicted; 3. tsq:setup --local on a scratch copy shows what it changes; 4. the
// doctor passes, the same load gives no connection error and every job runs once, every connection is
// attributed to its process and purpose, and the measured peaks sit next to the prediction.
// Exit 0 when the story holds, 1 with the reason when not, 130/143 when stopped. Everything it started is
// stopped on exit, also on Ctrl-C and SIGTERM; with --keep it stays up until then.
import {execFileSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {guard, makeTempDir, removeDir} from './lib/services-common.js'
import {findPostgresBinDir, serverOwner} from './lib/services-postgres.js'
import {nodeStory} from './demo/node.js'
import {RUBY_INSTALL, missingRuby, railsStory} from './demo/rails.js'
import {type DemoContext, Scope, StoryError} from './demo/story.js'
import {elapsed, say, title} from './demo/ui.js'

const USAGE = `usage: npm run demo [-- --keep]   (or: node dist/scripts/demo.js [--keep])
  --keep   leave the servers and the apps running after the story, until Ctrl-C`

const args = process.argv.slice(2)
if (args.includes('--help') || args.includes('-h')) {
  say(USAGE)
  process.exit(0)
}
const unknown = args.filter(a => a !== '--keep')
if (unknown.length > 0) {
  process.stderr.write(`unknown argument ${unknown.join(' ')}\n${USAGE}\n`)
  process.exit(2)
}
const keep = args.includes('--keep')

const missing = missingServers()
if (missing.length > 0) {
  say('npm run demo needs Postgres and Redis server binaries on this machine; missing:')
  for (const m of missing) say(`  - ${m.what}`)
  say(`install them: apt-get install -y --no-install-recommends ${[...new Set(missing.map(m => m.pkg))].join(' ')}`)
  process.exit(1)
}

const tempRoot = makeTempDir('tsq-demo-')
// If this process dies without cleaning up (SIGKILL), a watchdog removes the scratch copies.
const disarm = guard(tempRoot)
const controller = new AbortController()
const ctx: DemoContext = {signal: controller.signal, keep, tempRoot}
const scopes: Scope[] = []
let stopping: Promise<void> | null = null

/** Stops everything every story started, last first, and removes the scratch copies; once. */
function stopEverything(): Promise<void> {
  stopping ??= (async () => {
    for (const scope of scopes.reverse()) await scope.close()
    removeDir(tempRoot)
    disarm()
  })()
  return stopping
}

for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.on(signal, () => {
    if (stopping) {
      // A second Ctrl-C: leave now; the watchdogs stop the servers and dynos as this process goes.
      process.exit(code)
    }
    say(`\n${signal}: stopping everything the demo started…`)
    controller.abort(new Error(signal))
    void stopEverything().finally(() => process.exit(keptResult ?? code))
  })
}

/** With --keep, the story's exit code once it is over (the Ctrl-C that ends the wait is not a failure). */
let keptResult: number | null = null

say('heroku-tsq demo: the guide\'s web + worker story on local servers at Heroku\'s smallest limits')
say(`scratch copies in ${tempRoot} (removed at the end)`)
const failures: string[] = []
const rubyMissing = missingRuby()
const stories: Array<{name: string, play: (scope: Scope) => Promise<string[] | null>}> = [
  {name: 'Node', play: scope => nodeStory(ctx, scope)},
  ...(rubyMissing ? [] : [{name: 'Rails', play: (scope: Scope) => railsStory(ctx, scope)}]),
]
const skipped: string[] = []
for (const story of stories) {
  const scope = new Scope(story.name)
  scopes.push(scope)
  try {
    const result = await story.play(scope)
    if (controller.signal.aborted) await new Promise(() => {}) // the signal handler exits
    if (result === null) skipped.push(story.name)
    else failures.push(...result.map(f => `${story.name}: ${f}`))
  } catch (error) {
    if (controller.signal.aborted) await new Promise(() => {}) // the signal handler exits
    const reason = error instanceof StoryError ? error.message : `unexpected: ${error instanceof Error ? error.stack : String(error)}`
    say(`   ✖ ${reason}`)
    failures.push(`${story.name}: ${reason}`)
  }
  if (!keep) await scope.close()
}

title('Result')
if (rubyMissing) {
  say(`Rails story skipped: ${rubyMissing}. To play it too: ${RUBY_INSTALL}`)
} else if (skipped.includes('Rails')) {
  say(`Rails story skipped: the example's gems are not all installed. To play it too: ${RUBY_INSTALL}`)
}
const code = failures.length === 0 ? 0 : 1
if (code === 0) say(`The story holds (${elapsed()}).`)
else {
  say(`The story does not hold (${elapsed()}):`)
  for (const f of failures) say(`  - ${f}`)
}

const kept = scopes.flatMap(scope => scope.running())
if (keep && kept.length > 0) {
  keptResult = code
  say()
  say('--keep: still running until Ctrl-C:')
  for (const what of kept) say(`  - ${what}`)
  say(`  scratch copies: ${tempRoot} (try: node bin/run.js tsq:doctor --local --dir <copy>)`)
  await new Promise(() => {}) // until SIGINT or SIGTERM
}
await stopEverything()
process.exit(code)

/** The server binaries the demo needs and the Debian package of each. */
function missingServers(): Array<{what: string, pkg: string}> {
  const out: Array<{what: string, pkg: string}> = []
  const bin = findPostgresBinDir()
  if (bin === null) out.push({what: 'PostgreSQL server (initdb, postgres: neither in PATH nor in /usr/lib/postgresql/*/bin)', pkg: 'postgresql'})
  else if (process.getuid?.() === 0) {
    try {
      serverOwner()
    } catch {
      out.push({what: `the postgres system user (running as root, the demo runs ${join(bin, 'postgres')} as that user)`, pkg: 'postgresql'})
    }
  }
  const onPath = (process.env.PATH ?? '').split(':').some(d => d && existsSync(join(d, 'redis-server')))
  if (!onPath) out.push({what: 'redis-server (not in PATH)', pkg: 'redis-server'})
  try {
    if (bin !== null) execFileSync(join(bin, 'postgres'), ['--version'], {stdio: 'ignore'})
  } catch {
    out.push({what: `${join(bin!, 'postgres')} does not run`, pkg: 'postgresql'})
  }
  return out
}
