// Heroku's list of dyno sizes (`GET /dyno-sizes`: memory and vCPUs per size, Cedar and Fir), read like every
// other list: bounded in time and pages, its shape checked. A list that cannot be read is not an error: tsq
// then sizes dynos from its built-in table and says why.

import {type DynoSizes, builtInDynoSizes, dynoSizesFromList} from '../core/model/dyno-sizes.js'
import type {ApiDynoSize} from './api-types.js'
import type {Platform} from './client.js'
import {PlatformError} from './errors.js'
import {SHAPES} from './shapes.js'

export const DYNO_SIZES_PATH = '/dyno-sizes'

/** Heroku's dyno sizes, or the built-in table with the reason when the API fails (timeout, 404, wrong shape). */
export async function readDynoSizes(platform: Platform): Promise<DynoSizes> {
  try {
    const list = await platform.get<ApiDynoSize[]>(DYNO_SIZES_PATH, {shape: SHAPES.dynoSizes})
    return dynoSizesFromList(list)
  } catch (error) {
    if (error instanceof PlatformError) return builtInDynoSizes(error.message)
    throw error
  }
}
