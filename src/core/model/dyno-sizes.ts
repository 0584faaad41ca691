// What tsq knows about dyno sizes (spec §2, §13): Heroku's own list (`GET /dyno-sizes`: memory, vCPUs) first,
// tsq's built-in table when that list could not be read or does not name a size, each size with its source.
// And the Node buildpacks' default WEB_CONCURRENCY, derived from a size's memory. Pure.

export interface DynoSize {
  /** Lower-cased: `standard-2x`, `dyno-1c-0.5gb`. */
  name: string
  memoryMb: number
  /** vCPUs (the API's `compute`: "minimum vCPUs"); null when unknown. */
  cpus: number | null
  /** Where memory and CPUs come from: `GET /dyno-sizes: memory 4 GB, 2 vCPUs` or `built-in table: …`. */
  source: string
  /** The platform generation the size belongs to (`cedar`, `fir`); null when the list does not say. */
  generation: string | null
}

export interface DynoSizes {
  /** `api`: Heroku's list answered; `built-in`: tsq's table (no Heroku, or the list could not be read). */
  origin: 'api' | 'built-in'
  sizes: readonly DynoSize[]
  /** Why Heroku's list is not used although it was asked for; null otherwise. */
  fallback: string | null
}

/** A dyno size as `GET /dyno-sizes` lists it (schema `dyno-size`: `memory` is RAM in GB, `compute` vCPUs). */
export interface ListedDynoSize {
  name: string
  memory: number
  compute?: number | null
  generation?: {name?: string | null} | null
}

// Dev Center "Dyno Types" (2024-06-04) RAM per size; vCPUs where tsq has them (Puma's `workers :auto`).
const CLASSIC: ReadonlyArray<[name: string, memoryMb: number, cpus: number | null]> = [
  ['eco', 512, 1], ['basic', 512, 1], ['standard-1x', 512, 1], ['standard-2x', 1024, 2],
  ['performance-m', 2560, 2], ['performance-l', 14_336, 8], ['performance-l-ram', 30_720, 4], ['performance-xl', 63_488, 8], ['performance-2xl', 129_024, 16],
  ...['private', 'shield'].flatMap(tier => [
    [`${tier}-s`, 1024, null], [`${tier}-m`, 2560, null], [`${tier}-l`, 14_336, null], [`${tier}-l-ram`, 30_720, null],
    [`${tier}-xl`, 63_488, null], [`${tier}-2xl`, 129_024, null],
  ] as Array<[string, number, null]>),
]
const CLASSIC_SOURCE = 'Dev Center dyno-types, 2024-06-04'
// Legacy names the API may still report for an old formation; never offered as a size to scale to.
const LEGACY: ReadonlyArray<[string, number]> = [['free', 512], ['hobby', 512]]
// Fir sizes as heroku/cli's ps:type lists them (COST_MONTHLY); memory and vCPUs are in the name.
const FIR_NAMES = [
  'dyno-1c-0.5gb', 'dyno-1c-4gb', 'dyno-1c-8gb', 'dyno-2c-1gb', 'dyno-2c-4gb', 'dyno-2c-8gb', 'dyno-2c-16gb', 'dyno-4c-8gb',
  'dyno-4c-16gb', 'dyno-4c-32gb', 'dyno-8c-16gb', 'dyno-8c-32gb', 'dyno-8c-64gb', 'dyno-16c-32gb', 'dyno-16c-64gb',
  'dyno-16c-128gb', 'dyno-32c-64gb',
]

function firSize(name: string): DynoSize {
  const [, cpus, gb] = /^dyno-(\d+)c-(\d+(?:\.\d+)?)gb$/.exec(name)!
  return {name, memoryMb: Math.round(Number(gb) * 1024), cpus: Number(cpus), generation: 'fir',
    source: `built-in table: memory ${gb} GB, ${cpus} vCPUs (from the Fir size name, heroku/cli ps:type)`}
}

const BUILT_IN: readonly DynoSize[] = [
  ...CLASSIC.map(([name, memoryMb, cpus]) => ({name, memoryMb, cpus, generation: 'cedar', source: `built-in table: memory ${showMb(memoryMb)} (${CLASSIC_SOURCE})`})),
  ...FIR_NAMES.map(firSize),
]
const BUILT_IN_LEGACY: readonly DynoSize[] = LEGACY.map(([name, memoryMb]) => ({name, memoryMb, cpus: 1, generation: 'cedar', source: `built-in table: memory ${showMb(memoryMb)} (legacy size)`}))

/** tsq's own table, with why Heroku's list is not used (null when it was never asked for, as with --local). */
export function builtInDynoSizes(fallback: string | null = null): DynoSizes {
  return {origin: 'built-in', sizes: BUILT_IN, fallback}
}

/** The catalogue of Heroku's answer to `GET /dyno-sizes`; each size's source names the API and the numbers it gave. */
export function dynoSizesFromList(list: readonly ListedDynoSize[]): DynoSizes {
  const sizes = list.map(s => {
    const cpus = typeof s.compute === 'number' && Number.isInteger(s.compute) && s.compute > 0 ? s.compute : null
    return {name: s.name.toLowerCase(), memoryMb: Math.round(s.memory * 1024), cpus, generation: s.generation?.name?.toLowerCase() ?? null,
      source: `GET /dyno-sizes: memory ${s.memory} GB${cpus === null ? '' : `, ${cpus} vCPU${cpus === 1 ? '' : 's'}`}`}
  })
  return {origin: 'api', sizes, fallback: null}
}

/**
 * A size by name (any case): Heroku's list first, then the built-in table (a legacy size an old formation still
 * has); undefined when neither knows it. Without a catalogue (no Heroku), the built-in table.
 */
export function findDynoSize(catalogue: DynoSizes | undefined, name: string | null | undefined): DynoSize | undefined {
  if (!name) return undefined
  const wanted = name.toLowerCase()
  return (catalogue ?? builtInDynoSizes()).sizes.find(s => s.name === wanted)
    ?? BUILT_IN.find(s => s.name === wanted) ?? BUILT_IN_LEGACY.find(s => s.name === wanted)
}

/**
 * The sizes a formation may be scaled to: those Heroku lists, else the built-in table's; with the app's generation
 * known, only that generation's (a Cedar app cannot run `dyno-2c-4gb`, a Fir app `standard-2x`).
 */
export function allowedDynoSizes(catalogue: DynoSizes | undefined, generation?: string | null): string[] {
  const wanted = generation?.toLowerCase()
  return (catalogue ?? builtInDynoSizes()).sizes.filter(s => !wanted || s.generation === null || s.generation === wanted).map(s => s.name)
}

/** Where the allowed sizes come from, for messages. */
export function describeDynoSizes(catalogue: DynoSizes | undefined): string {
  if (!catalogue || catalogue.origin === 'built-in') {
    return catalogue?.fallback ? `tsq's built-in table (Heroku's GET /dyno-sizes could not be used: ${catalogue.fallback})` : "tsq's built-in table"
  }
  return "Heroku's GET /dyno-sizes"
}

/** What a command says when Heroku's dyno sizes could not be read and the built-in table stands in. */
export function dynoSizesFallbackWarning(reason: string): string {
  return `Heroku's dyno sizes could not be read, so tsq's built-in table sizes the dynos: ${reason}`
}

// The Node buildpacks' WEB_CONCURRENCY (heroku-facts §5.1–5.2; classic and Fir alike): memory bounded to
// 129 024 MB, divided by WEB_MEMORY (512 MB, 2048 MB above 16 GB), at least 1; over 200 → 1.
const MEMORY_CAP_MB = 129_024

/** The buildpacks' WEB_MEMORY for a dyno with this much memory (MB): what one process is given. */
export function webMemoryFor(memoryMb: number): number {
  return Math.min(memoryMb, MEMORY_CAP_MB) > 16_384 ? 2048 : 512
}

/** The Node buildpacks' default WEB_CONCURRENCY for a dyno with this much memory (MB). */
export function webConcurrencyFor(memoryMb: number): number {
  const n = Math.floor(Math.min(memoryMb, MEMORY_CAP_MB) / webMemoryFor(memoryMb))
  return n >= 1 && n <= 200 ? n : 1
}

/** `512 MB`, `2.5 GB`. */
function showMb(mb: number): string {
  return mb < 1024 ? `${mb} MB` : `${Math.round((mb / 1024) * 10) / 10} GB`
}
