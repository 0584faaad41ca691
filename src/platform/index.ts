// src/platform: the one module that talks to the Heroku Platform API and Data API.

export {createPlatform, parseDataHost} from './client.js'
export type {Platform, PlatformOptions, PlatformResponse, RequestOptions} from './client.js'
export {describeTarget, isPlatformError, PlatformError} from './errors.js'
export type {PlatformErrorKind} from './errors.js'
export {inspectApp, readDataApiLimit, UNKNOWN_SHARING_APP} from './inspect.js'
export type {InspectOptions, InspectProgress} from './inspect.js'
export {
  attachAddon, getConfigVars, getFormation, getLatestReleaseVersion, patchConfigVars, patchFormation,
  promoteRedis,
} from './mutations.js'
export type {AttachInput, AttachResult, AttachStep, FormationUpdate} from './mutations.js'
export {DYNO_SIZES_PATH, readDynoSizes} from './dyno-sizes.js'
export {attachConnectionPooling, readPoolerConfig, readRedisDataConfig} from './data-configs.js'
export type {PoolingAttachInput} from './data-configs.js'
export {DEFAULT_RETRY_POLICY, planRetryDelay} from './retry.js'
export type {RetryPolicy} from './retry.js'
