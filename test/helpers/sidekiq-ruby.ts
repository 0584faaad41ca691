// Debian's ruby-sidekiq, driven from tests: jobs pushed exactly as Sidekiq's own client writes them, and what
// Sidekiq's own API reports about them.
import {execFile} from 'node:child_process'
import {promisify} from 'node:util'

const run = promisify(execFile)

/** True when `ruby -e 'require "sidekiq"'` works here. */
export async function hasSidekiq(): Promise<boolean> {
  try {
    await run('ruby', ['-e', 'require "sidekiq"'], {timeout: 30_000})
    return true
  } catch {
    return false
  }
}

/** Runs Ruby `code` with Sidekiq's client on `redisUrl` (REDIS_URL); returns what it printed as JSON on its last line. */
export async function sidekiqRuby<T>(redisUrl: string, code: string): Promise<T> {
  const script = `require "sidekiq"\nrequire "sidekiq/api"\nrequire "json"\n$VERBOSE = nil\n` +
    `Sidekiq.logger.level = Logger::WARN\nSidekiq.configure_client { |c| c.redis = { url: ENV["REDIS_URL"] } }\n${code}`
  const {stdout} = await run('ruby', ['-W0', '-e', script], {env: {...process.env, REDIS_URL: redisUrl}, timeout: 60_000})
  const last = stdout.trim().split('\n').pop() ?? 'null'
  return JSON.parse(last) as T
}
