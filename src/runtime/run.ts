// run(): what throng did, kept correct for Heroku. The role from the settings decides what runs; more
// than one process per dyno means a node:cluster primary that forks and supervises them.
import cluster from 'node:cluster'
import {resolveSettings, type Env} from '../core/model/settings.js'
import {runPrimary} from './cluster.js'
import {createLogger} from './log.js'
import {runProcess, type AppCallback} from './process.js'
import type {RestartPolicy} from './restart.js'

export interface RunApp {
  /** Runs in every process of a web-role dyno; may return the http.Server to close at shutdown. */
  web?: AppCallback
  /** Runs in every process of a worker-role dyno; creates the Workers (ctx.createWorker). */
  worker?: AppCallback
}

export interface RunOptions {
  /** The environment to resolve settings from; default process.env. */
  env?: Env
  /** Restart backoff of crashed cluster processes; default 1 s doubling to 30 s, reset after 60 s up. */
  restart?: RestartPolicy
}

// The only place the runtime ends the process.
const exit = (code: number): never => process.exit(code)

/**
 * Starts this process's role: `web` → app.web(ctx), `worker` → app.worker(ctx), `none` → nothing.
 * With processesPerDyno > 1 this process becomes a cluster primary (no connections of its own); with 1 the
 * app runs right here, and a crash ends the dyno, which Heroku restarts.
 * Invalid settings are logged as one line and end the process with code 1.
 */
export async function run(app: RunApp, options: RunOptions = {}): Promise<void> {
  const env = options.env ?? process.env
  let settings
  try {
    settings = resolveSettings(env)
  } catch (error) {
    // SettingsError lists one problem per line: keep them on one log line.
    createLogger({dyno: env.DYNO || 'tsq'}).error((error as Error).message.replace(/:\n\s*/, ': ').replace(/\n\s*/g, '; '))
    return exit(1)
  }
  const log = createLogger(settings)
  if (settings.role === 'none') {
    log.info('role none: nothing to run', {type: settings.type})
    return
  }
  const callback = settings.role === 'web' ? app.web : app.worker
  if (!callback) {
    log.error(`role ${settings.role}, but run() was given no ${settings.role} callback`, {type: settings.type})
    return exit(1)
  }
  if (cluster.isPrimary && settings.processesPerDyno > 1) return runPrimary(settings, log, exit, options.restart)
  return runProcess(callback, settings, log, exit)
}
