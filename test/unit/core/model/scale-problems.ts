import {ScaleArgumentError} from '../../../../src/core/model/formation.js'

/** The problems of the ScaleArgumentError `fn` throws; any other outcome fails the test. */
export function problemsOf(fn: () => unknown): string[] {
  try {
    fn()
  } catch (error) {
    if (error instanceof ScaleArgumentError) return error.problems
    throw error
  }
  throw new Error('expected a ScaleArgumentError')
}
