// `npm run bench` (after `npm run build`): transpiles the TypeScript benchmarks and the helpers they share
// with the proof tests into .tmp/bench with the project's own TypeScript (no type check: `npm test` does
// that), runs every bench/**/*.bench.ts in its own process, each bounded in time, then the doctor benchmark
// (bench/doctor, run by vitest with its own config), and prints one table of what the *.bench.ts wrote to
// bench/.results/<name>.json. `node bench/run.js throughput` runs only the benchmarks whose path has that.
import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {dirname, join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'
import ts from 'typescript'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const OUT = join(ROOT, '.tmp/bench')
const RESULTS = join(ROOT, 'bench/.results')
const SOURCES = ['src', 'scripts/lib', 'test/helpers', 'test/e2e/proof/lib', 'bench']
/** A benchmark that runs longer is stopped (SIGTERM, then SIGKILL) and reported as such. */
const BENCH_TIMEOUT_MS = 8 * 60_000
const DOCTOR_CONFIG = join(ROOT, 'bench/doctor/vitest.config.ts')

function walk(dir) {
  return readdirSync(dir).flatMap(name => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? walk(path) : [path]
  })
}

function transpile() {
  rmSync(OUT, {recursive: true, force: true})
  for (const file of SOURCES.flatMap(d => walk(join(ROOT, d)))) {
    if (!file.endsWith('.ts') || file.endsWith('.d.ts') || file.endsWith('.test.ts')) continue
    const {outputText} = ts.transpileModule(readFileSync(file, 'utf8'), {
      fileName: file, compilerOptions: {module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022},
    })
    const target = join(OUT, relative(ROOT, file)).replace(/\.ts$/, '.js')
    mkdirSync(dirname(target), {recursive: true})
    writeFileSync(target, outputText)
  }
}

function cell(value) {
  if (value === null || value === undefined) return '–'
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 2 : 1)
  return String(value)
}

function table(results) {
  const rows = [['bench', 'metric', 'tsq', 'alternative', 'ratio tsq/alt']]
  for (const r of results) for (const row of r.rows) rows.push([r.name, `${row.metric}${row.unit ? ` (${row.unit})` : ''}`, cell(row.tsq), cell(row.alternative), cell(row.ratio)])
  const widths = rows[0].map((_, i) => Math.max(...rows.map(r => r[i].length)))
  const line = r => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`
  return [line(rows[0]), `|${widths.map(w => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n')
}

transpile()
mkdirSync(RESULTS, {recursive: true})
const only = process.argv.slice(2)
const benches = walk(join(ROOT, 'bench')).filter(f => f.endsWith('.bench.ts')).map(f => relative(ROOT, f)).sort()
  .filter(f => only.length === 0 || only.some(o => f.includes(o)))
const results = []
const started = Date.now()
for (const bench of benches) {
  const name = bench.replace(/^bench\//, '').replace(/\.bench\.ts$/, '').replace(/\//g, '-')
  const resultFile = join(RESULTS, `${name}.json`)
  rmSync(resultFile, {force: true})
  console.error(`\n▶ ${bench}`)
  const run = spawnSync(process.execPath, [join(OUT, bench.replace(/\.ts$/, '.js'))], {
    cwd: ROOT, stdio: 'inherit', timeout: BENCH_TIMEOUT_MS, killSignal: 'SIGTERM', env: {...process.env, TSQ_BENCH_RESULT: resultFile},
  })
  try {
    results.push({name, ...JSON.parse(readFileSync(resultFile, 'utf8'))})
  } catch {
    results.push({name, rows: [{metric: `did not finish (exit ${run.status ?? run.signal})`, tsq: null, alternative: null, ratio: null}]})
  }
}
if (existsSync(DOCTOR_CONFIG) && (only.length === 0 || only.some(o => 'bench/doctor'.includes(o)))) {
  console.error('\n▶ bench/doctor (vitest --config bench/doctor/vitest.config.ts; its table is above, its JSON in bench/.results/doctor.json)')
  spawnSync(process.execPath, [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--config', DOCTOR_CONFIG],
    {cwd: ROOT, stdio: 'inherit', timeout: BENCH_TIMEOUT_MS, killSignal: 'SIGTERM'})
}
console.log(`\nResults (${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${Math.round((Date.now() - started) / 1000)} s):\n`)
console.log(table(results))
for (const r of results) for (const note of r.notes ?? []) console.log(`- ${r.name}: ${note}`)
