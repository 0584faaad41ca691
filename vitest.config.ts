import {fileURLToPath} from 'node:url'
import {defineConfig, type TestProjectInlineConfiguration} from 'vitest/config'

/**
 * The BullMQ and ioredis versions the runtime supports (spec §13; package.json's peer ranges admit exactly
 * these). The first project installs them under their real names and runs the whole suite; every other one
 * runs the runtime's integration tests again with `bullmq`/`ioredis` resolved to npm-aliased copies
 * (devDependencies `bullmq6`, `ioredis6`, `bullmq5floor`): in the test process through Vite aliases, and in
 * the app processes those tests start through a Node resolve hook (test/helpers/libs/register.mjs).
 * The mixed and floor projects run the tests where the libraries meet (connections, outage, shutdown).
 */
interface Libs {
  name: string
  /** What libs.test.ts checks every process of the project loads, e.g. `bullmq=6,ioredis=6`. */
  majors: string
  aliases?: Record<string, string>
  include?: string[]
}

const RUNTIME = 'test/integration/runtime'
const MEETING = ['libs', 'connections', 'redis-outage', 'shutdown'].map(t => `${RUNTIME}/${t}.test.ts`)

const libs: Libs[] = [
  {name: 'bullmq5-ioredis5', majors: 'bullmq=5,ioredis=5', include: ['test/**/*.test.ts']},
  // Also the commands' Redis readers (probe, doctor --live, autoscale): they run on the ioredis installed too.
  {name: 'bullmq6-ioredis6', majors: 'bullmq=6,ioredis=6', aliases: {bullmq: 'bullmq6', ioredis: 'ioredis6'},
    include: [`${RUNTIME}/**/*.test.ts`, 'test/integration/probe/**/*.test.ts', 'test/integration/doctor/doctor-live.test.ts',
      'test/integration/autoscale/**/*.test.ts']},
  // `npm install heroku-tsq bullmq@5` installs ioredis 6 for the runtime (BullMQ 5 keeps its own 5).
  {name: 'bullmq5-ioredis6', majors: 'bullmq=5,ioredis=6', aliases: {ioredis: 'ioredis6'}, include: MEETING},
  {name: 'bullmq6-ioredis5', majors: 'bullmq=6,ioredis=5', aliases: {bullmq: 'bullmq6'}, include: MEETING},
  // The lowest BullMQ the peer range admits.
  {name: 'bullmq5.13.1-ioredis5', majors: 'bullmq=5.13.1,ioredis=5', aliases: {bullmq: 'bullmq5floor'}, include: MEETING},
]

const register = fileURLToPath(new URL('./test/helpers/libs/register.mjs', import.meta.url))

function project({name, majors, aliases = {}, include = [`${RUNTIME}/**/*.test.ts`]}: Libs): TestProjectInlineConfiguration {
  const pairs = Object.entries(aliases)
  return {
    extends: true,
    resolve: {alias: pairs.map(([from, to]) => ({find: new RegExp(`^${from}(?=$|/)`), replacement: to}))},
    test: {
      name,
      include,
      env: pairs.length === 0 ? {TEST_LIB_MAJORS: majors} : {
        TEST_LIB_MAJORS: majors,
        TEST_LIB_ALIASES: pairs.map(([from, to]) => `${from}=${to}`).join(','),
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${register}`.trim(),
      },
    },
  }
}

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
    projects: libs.map(project),
  },
})
