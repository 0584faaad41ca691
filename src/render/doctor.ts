// Human output of tsq:doctor: checks fail → warn → ok (like `heroku pg:diagnose`), the processes as
// resolved, then one budget table per resource with the limit and where it came from. Pure.
import {RESOURCE_TITLE} from '../core/model/catalogue.js'
import type {LiveMeasurement} from '../core/budget/budget.js'
import {sortChecks} from '../core/checks/index.js'
import type {DoctorReport, DoctorResource} from '../core/checks/doctor.js'
import {type Style, paint, statusLabel} from './style.js'
import {renderTable} from './table.js'


export function renderDoctor(report: DoctorReport, style: Style): string {
  const where = report.mode === 'local' ? `local directory ${report.app}` : `⬢ ${report.app}`
  const fails = report.checks.filter(c => c.status === 'fail').length
  const warns = report.checks.filter(c => c.status === 'warn').length
  const verdict = fails > 0 ? paint(style, 'red', `${fails} failing`) : warns > 0 ? paint(style, 'yellow', 'no failures') : paint(style, 'green', 'all ok')
  const sections = [
    `${paint(style, 'bold', `=== tsq:doctor ${where}`)}  ${verdict}${warns > 0 ? `, ${warns} warning${warns === 1 ? '' : 's'}` : ''}`,
    renderChecks(report, style),
    renderProcesses(report, style),
    ...report.resources.map(r => renderResource(r, report.app, style)),
  ]
  return sections.filter(s => s !== '').join('\n\n')
}

export function renderChecks(report: DoctorReport, style: Style): string {
  const width = Math.max(0, ...report.checks.map(c => c.id.length))
  return sortChecks(report.checks).map(c => {
    const head = `${statusLabel(style, c.status)}  ${paint(style, 'bold', c.id.padEnd(width))}  ${c.message}`
    return c.fix ? `${head}\n${' '.repeat(width + 10)}${paint(style, 'cyan', 'fix:')} ${c.fix}` : head
  }).join('\n')
}

export function renderProcesses(report: DoctorReport, style: Style): string {
  if (report.processes.length === 0) return `${paint(style, 'bold', '=== Processes')}\n  none: the formation has no process types`
  const rows = report.processes.map(p => [
    p.type, p.stack, p.role, String(p.dynos), p.size ?? '-', String(p.processesPerDyno), p.threads === null ? '-' : String(p.threads),
    p.concurrency === null ? '-' : String(p.concurrency), String(p.dbPool), String(p.redisConnections),
  ])
  const columns = [
    {header: 'type'}, {header: 'stack'}, {header: 'role'}, {header: 'dynos', align: 'right'}, {header: 'size'},
    {header: 'processes/dyno', align: 'right'}, {header: 'threads', align: 'right'}, {header: 'concurrency', align: 'right'},
    {header: 'db pool', align: 'right'}, {header: 'redis conns', align: 'right'},
  ] as const
  // Where each number of a Ruby process came from: the files and variables it was read from (spec §8).
  const sources = report.processes.filter(p => p.stack !== 'tsq' && p.stack !== 'none').map(p =>
    `  ${p.type}: ${Object.entries(p.sources).filter(([k]) => (k !== 'threads' || p.threads !== null) && (k !== 'concurrency' || p.concurrency !== null)).map(([k, v]) => `${k} ← ${v}`).join('; ')}`)
  return `${paint(style, 'bold', '=== Processes')}\n${renderTable(style, columns, rows)}${sources.length > 0 ? `\n${paint(style, 'dim', sources.join('\n'))}` : ''}`
}

export function renderResource(r: DoctorResource, app: string, style: Style): string {
  const names = [r.addon, r.plan, r.configVar].filter((x): x is string => x !== null)
  const head = `${paint(style, 'bold', `=== ${RESOURCE_TITLE[r.kind]} budget`)}${names.length > 0 ? `  ${names.join(' · ')}` : ''}  ${statusLabel(style, r.status).trimEnd()}`
  const shared = r.sharedWith.length > 0
  const pooled = (r.poolers ?? []).length > 0
  const rows = r.rows.map(row => {
    const own = row.app === app
    const unread = !own && r.notCounted.some(n => n.app === row.app)
    const pooler = row.via === 'pooler'
    // What runs once per dyno (Solid Queue beside Puma) follows the per-process figure.
    const perProcess = row.dynoExtra ? `${row.perProcess} + ${row.dynoExtra}/dyno` : String(row.perProcess)
    const cells = [row.type, own && !pooler ? String(row.dynos) : '', own && !pooler ? String(row.processesPerDyno) : '', own && !pooler ? perProcess : '',
      unread ? '?' : String(row.total), ...(pooled ? [throughCell(row)] : []), '']
    return shared ? [own ? row.app : `${row.app} (shared${unread ? ', not readable' : ''})`, ...cells] : cells
  })
  const limit = r.limit === null ? 'unknown' : String(r.limit)
  const sum = ['demand', '', '', '', String(r.demand), ...(pooled ? [''] : []), limit]
  rows.push(shared ? ['', ...sum] : sum)
  const columns = [
    ...(shared ? [{header: 'app'}] : []), {header: 'type'}, {header: 'dynos', align: 'right'}, {header: 'processes', align: 'right'},
    {header: 'per process', align: 'right'}, {header: 'total', align: 'right'}, ...(pooled ? [{header: 'through'}] : []), {header: 'limit', align: 'right'},
  ] as const
  const notes = [
    r.limit === null
      ? `limit: unknown${r.plan ? ` (plan ${r.plan} is not catalogued)` : ''}; not checked against a guess`
      : `limit ${r.limit} from ${r.limitSource ?? 'the plan'}; reserve ${r.reserve}, so ${r.available} available`,
    ...r.notCounted.map(n => `not counted: ${n.app} could not be read (${n.error})`),
    ...r.attachedNotCounted.map(n => `attached, not counted: ${n.app} (${n.reason})`),
    ...(r.poolers ?? []).map(p => p.kind === 'pgbouncer'
      ? `pgbouncer in each ${p.types.join(', ')} dyno: ${p.clients} of ${p.clientLimit} client connections (${p.clientLimitSource}); ${p.server} server connections per dyno (${p.serverSource})`
      : `server-side pooler ${p.configVar} (${p.types.join(', ')}): ${p.clients} of ${p.clientLimit} client connections (${p.clientLimitSource}); holds ${p.server} (${p.serverSource})`),
    ...(r.kind === 'postgres' && r.largestPool !== null ? [`largest pool per process that fits: ${r.largestPool}`] : []),
    ...(r.live ? [renderLive(r.live)] : []),
    ...renderHolders(r),
  ]
  return `${head}\n${renderTable(style, columns, rows)}\n${notes.map(n => `  ${n}`).join('\n')}`
}

/** `holders: web activerecord 5 + action-cable 2 per process; worker sidekiq 11` (spec §14). */
export function renderHolders(r: DoctorResource): string[] {
  const types = [...new Set(r.holders.map(h => h.type))]
  if (types.length === 0) return []
  const line = types.map(t => `${t} ${r.holders.filter(h => h.type === t)
    .map(h => `${h.holder} ${h.perProcess === null ? `${h.perDyno}/dyno` : h.perProcess}`).join(' + ')}`).join('; ')
  return [`holders per process: ${line}`]
}

/** The `through` column: how a row's connections reach the database. */
function throughCell(row: DoctorResource['rows'][number]): string {
  if (row.via === 'pgbouncer') return `pgbouncer: ${row.processesPerDyno * row.perProcess} clients → ${row.serverPerDyno} per dyno`
  if (row.via === 'server-pooler') return 'server-side pooler'
  if (row.via === 'pooler') return `${row.clients} clients → ${row.total}`
  return row.via === 'direct' ? 'direct' : ''
}

export function renderLive(m: LiveMeasurement): string {
  if (m.error) return `live: not measured (${m.error})`
  const byDyno = m.attributed.map(a => `${a.dyno}${a.purpose ? ` ${a.purpose}` : ''} ${a.count}`).join(', ')
  const limit = m.limit === null ? 'limit not reported' : `server limit ${m.limit} (${m.limitSource ?? 'measured'})`
  return `live: ${m.connections ?? '?'} connections now, ${limit}; tsq-named: ${byDyno || 'none'}; unattributed: ${m.unattributed}`
}
