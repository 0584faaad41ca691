// The fake's `GET /dyno-sizes` (schema `dyno-size`): a Cedar list named as the API reports formation sizes
// (`Standard-1X`) and a Fir list with its dotted names (`dyno-1c-0.5gb`). Memory and vCPUs follow Dev Center's
// dyno-types page and the Fir names; cost and dyno units are illustrative, tsq does not read them.

import {fakeId} from './fake-api-model.js'

export interface FakeDynoSize {
  name: string
  /** RAM in GB. */
  memory: number
  /** Minimum vCPUs. */
  compute: number
  dedicated: boolean
  generation: 'cedar' | 'fir'
  /** Cents per month, or null. */
  cents: number | null
  privateSpaceOnly?: boolean
}

/** Which list the fake answers with; `all` is both, Cedar first. */
export type DynoSizeList = 'cedar' | 'fir' | 'all'

export const CEDAR_DYNO_SIZES: readonly FakeDynoSize[] = [
  {name: 'Eco', memory: 0.5, compute: 1, dedicated: false, generation: 'cedar', cents: 0},
  {name: 'Basic', memory: 0.5, compute: 1, dedicated: false, generation: 'cedar', cents: 700},
  {name: 'Standard-1X', memory: 0.5, compute: 1, dedicated: false, generation: 'cedar', cents: 2500},
  {name: 'Standard-2X', memory: 1, compute: 2, dedicated: false, generation: 'cedar', cents: 5000},
  {name: 'Performance-M', memory: 2.5, compute: 2, dedicated: true, generation: 'cedar', cents: 25_000},
  {name: 'Performance-L', memory: 14, compute: 8, dedicated: true, generation: 'cedar', cents: 50_000},
  {name: 'Performance-L-RAM', memory: 30, compute: 4, dedicated: true, generation: 'cedar', cents: 50_000},
  {name: 'Performance-XL', memory: 62, compute: 8, dedicated: true, generation: 'cedar', cents: 75_000},
  {name: 'Performance-2XL', memory: 126, compute: 16, dedicated: true, generation: 'cedar', cents: 150_000},
  {name: 'Private-S', memory: 1, compute: 2, dedicated: true, generation: 'cedar', cents: null, privateSpaceOnly: true},
  {name: 'Private-M', memory: 2.5, compute: 2, dedicated: true, generation: 'cedar', cents: null, privateSpaceOnly: true},
  {name: 'Private-L', memory: 14, compute: 8, dedicated: true, generation: 'cedar', cents: null, privateSpaceOnly: true},
]

const FIR_NAMES = ['dyno-1c-0.5gb', 'dyno-1c-4gb', 'dyno-2c-1gb', 'dyno-2c-4gb', 'dyno-2c-8gb', 'dyno-4c-8gb', 'dyno-4c-16gb', 'dyno-8c-32gb', 'dyno-16c-64gb']

export const FIR_DYNO_SIZES: readonly FakeDynoSize[] = FIR_NAMES.map(name => {
  const [, cpus, gb] = /^dyno-(\d+)c-([\d.]+)gb$/.exec(name)!
  return {name, memory: Number(gb), compute: Number(cpus), dedicated: false, generation: 'fir', cents: null}
})

export function dynoSizeList(list: DynoSizeList): readonly FakeDynoSize[] {
  return list === 'cedar' ? CEDAR_DYNO_SIZES : list === 'fir' ? FIR_DYNO_SIZES : [...CEDAR_DYNO_SIZES, ...FIR_DYNO_SIZES]
}

/** One entry of `GET /dyno-sizes`, every property of the schema's `dyno-size`. */
export function dynoSizeShape(size: FakeDynoSize, index: number) {
  return {
    architecture: 'amd64', compute: size.compute, cost: size.cents === null ? null : {cents: size.cents, unit: 'month'},
    dedicated: size.dedicated, precise_dyno_units: Math.round(size.memory * 2 * 100) / 100,
    generation: {id: fakeId(8, size.generation === 'fir' ? 2 : 1), name: size.generation},
    id: fakeId(5, 900 + index), memory: size.memory, name: size.name, private_space_only: size.privateSpaceOnly ?? false,
  }
}
