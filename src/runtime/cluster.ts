// The cluster primary: forks `processesPerDyno` processes, restarts one that dies, and on SIGTERM forwards
// it once and waits. It opens no connection of its own (the doctor counts none for it).
import cluster, {type Worker as ClusterWorker} from 'node:cluster'
import type {Settings} from '../core/model/settings.js'
import type {Logger} from './log.js'
import {planRestart, RESTART_POLICY, type RestartPolicy} from './restart.js'

/** Time the primary grants past the children's drain for them to close connections, before SIGKILL. */
const CLOSE_MARGIN_MS = 2500
/** Heroku sends SIGKILL at 30 s: the primary gives up on its children a little before. */
const HEROKU_KILL_MS = 29_500

interface Slot {
  worker?: ClusterWorker
  startedAt: number
  crashes: number
  restart?: NodeJS.Timeout
}

export function runPrimary(settings: Settings, log: Logger, exit: (code: number) => never, policy: RestartPolicy = RESTART_POLICY): void {
  const slots = new Map<number, Slot>()
  let stopping = false
  let failedExits = 0

  const fork = (index: number) => {
    const slot = slots.get(index) ?? {startedAt: 0, crashes: 0}
    // Tells the child which slot it fills, so its logs say which process restarted.
    const worker = cluster.fork({TSQ_PROCESS_INDEX: String(index)})
    Object.assign(slot, {worker, startedAt: Date.now(), restart: undefined})
    slots.set(index, slot)
    worker.on('exit', (code, signal) => onExit(index, worker, code, signal))
  }

  const live = () => [...slots.values()].filter(s => s.worker && !s.worker.isDead())

  const onExit = (index: number, worker: ClusterWorker, code: number | null, signal: string | null) => {
    const slot = slots.get(index)
    if (!slot || slot.worker !== worker) return
    slot.worker = undefined
    const fields = {process: index, pid: worker.process.pid, code: code ?? undefined, signal: signal ?? undefined}
    if (stopping) {
      // A child killed by our SIGTERM before it installed its handler had nothing to drain.
      if (code !== 0 && signal !== 'SIGTERM') failedExits++
      log.info('process exited', fields)
      if (live().length === 0) exit(failedExits > 0 ? 1 : 0)
      return
    }
    const plan = planRestart(slot.crashes, Date.now() - slot.startedAt, policy)
    slot.crashes = plan.crashes
    log.warn('process exited unexpectedly; restarting', {...fields, in_ms: plan.delayMs, crashes: plan.crashes})
    slot.restart = setTimeout(() => fork(index), plan.delayMs)
  }

  // Heroku sends SIGTERM to every process of the dyno, possibly more than once: forward it once, and let the
  // children (which handle their own copy idempotently) drain.
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.info('already shutting down; ignoring repeated signal', {signal})
      return
    }
    stopping = true
    for (const slot of slots.values()) clearTimeout(slot.restart)
    const children = live()
    log.info('shutting down processes', {signal, processes: children.length})
    if (children.length === 0) exit(0)
    for (const slot of children) slot.worker!.process.kill('SIGTERM')
    setTimeout(() => {
      const stuck = live()
      log.error('processes did not exit in time; killing them', {processes: stuck.length})
      for (const slot of stuck) slot.worker!.process.kill('SIGKILL')
      exit(1)
    }, Math.min(settings.shutdownTimeout + CLOSE_MARGIN_MS, HEROKU_KILL_MS)).unref()
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)

  log.info('starting processes', {role: settings.role, processes: settings.processesPerDyno, source: settings.processesSource})
  for (let index = 1; index <= settings.processesPerDyno; index++) fork(index)
}
