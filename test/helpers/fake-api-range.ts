// Heroku's list ranges: `Range: id ..; max=200`, answered with 206 + `Next-Range: id ]<last>..; max=200` while
// more remain (platform-api-reference#ranges). The client sends Next-Range back as its next Range.

import {ApiFault} from './fake-api-model.js'

export interface Page {
  status: 200 | 206
  items: Array<Record<string, unknown>>
  headers: Record<string, string>
}

interface ParsedRange {
  field: string
  start: string | null
  exclusive: boolean
  max: number
  desc: boolean
}

const MAX_PAGE = 1000

/** One page of `items` for a Range header (absent: by id, `pageSize` items). */
export function pageList(items: Array<Record<string, unknown>>, rangeHeader: string | undefined, pageSize: number): Page {
  const range = parseRange(rangeHeader, pageSize)
  if (items.length > 0 && !items.every(item => range.field in item)) {
    throw new ApiFault(400, 'bad_request', `Invalid Range header: cannot sort by ${range.field}.`)
  }
  const key = (item: Record<string, unknown>) => item[range.field] as string | number
  const compare = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0) * (range.desc ? -1 : 1)
  const start = range.start === null ? null : typeof key(items[0] ?? {}) === 'number' ? Number(range.start) : range.start
  const sorted = [...items].sort((a, b) => compare(key(a), key(b)))
    .filter(item => start === null || (range.exclusive ? compare(key(item), start) > 0 : compare(key(item), start) >= 0))
  const page = sorted.slice(0, range.max)
  const headers: Record<string, string> = {'Accept-Ranges': 'id, name'}
  if (page.length > 0) headers['Content-Range'] = `${range.field} ${key(page[0]!)}..${key(page.at(-1)!)}`
  if (sorted.length > page.length) {
    headers['Next-Range'] = `${range.field} ]${key(page.at(-1)!)}..; max=${range.max}${range.desc ? ', order=desc' : ''}`
    return {status: 206, items: page, headers}
  }
  return {status: 200, items: page, headers}
}

/** `id ..; max=10`, `id ]abc..; max=10`, `version ..; max=1, order=desc`, `version ..; order=desc,max=1`. */
export function parseRange(header: string | undefined, pageSize: number): ParsedRange {
  if (!header || header.trim() === '') return {field: 'id', start: null, exclusive: false, max: pageSize, desc: false}
  const match = /^\s*(\w+)\s+(\]?)([^;]*?)\.\.[^;]*(?:;(.*))?$/.exec(header)
  if (!match) throw new ApiFault(400, 'bad_request', `Invalid Range header: ${header}`)
  const options = Object.fromEntries((match[4] ?? '').split(/[;,]/).map(s => s.trim()).filter(Boolean)
    .map(s => s.split('=').map(x => x.trim()) as [string, string]))
  const max = options.max === undefined ? pageSize : Number(options.max)
  if (!Number.isInteger(max) || max < 1) throw new ApiFault(400, 'bad_request', `Invalid Range header: max=${options.max}`)
  return {field: match[1]!, start: match[3] ? match[3] : null, exclusive: match[2] === ']', max: Math.min(max, MAX_PAGE), desc: options.order === 'desc'}
}
