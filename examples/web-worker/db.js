// The results table: one row per job id, written idempotently, with counters so a test can see retries
// (attempts > 1) and prove no job ran to completion twice (completions = 1).

/** EXAMPLE_TABLE, checked so it can go into SQL as an identifier. */
export function tableName(env = process.env) {
  const name = env.EXAMPLE_TABLE || 'tsq_example_results'
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`EXAMPLE_TABLE must be a lower-case SQL identifier, got ${JSON.stringify(name)}`)
  return name
}

export function schemaSql(table) {
  return `CREATE TABLE IF NOT EXISTS ${table} (
    job_id      text PRIMARY KEY,
    queue       text NOT NULL,
    attempts    integer NOT NULL DEFAULT 0,
    completions integer NOT NULL DEFAULT 0,
    result      jsonb,
    finished_by text,
    started_at  timestamptz,
    finished_at timestamptz
  )`
}

/** Counts an attempt: the first one inserts the row, a retry (after a crash or a cut-off shutdown) increments. */
export function recordStart(pool, table, job) {
  return pool.query(
    `INSERT INTO ${table} (job_id, queue, attempts, started_at) VALUES ($1, $2, 1, now())
     ON CONFLICT (job_id) DO UPDATE SET attempts = ${table}.attempts + 1, started_at = now()`,
    [job.id, job.queueName])
}

/** Records the result once (a second completion keeps the first result) and counts completions. */
export function recordFinish(pool, table, job, result, dyno) {
  return pool.query(
    `UPDATE ${table} SET completions = completions + 1, result = coalesce(result, $2),
       finished_by = coalesce(finished_by, $3), finished_at = coalesce(finished_at, now())
     WHERE job_id = $1`,
    [job.id, JSON.stringify(result), dyno])
}

export async function findResult(pool, table, jobId) {
  const {rows} = await pool.query(`SELECT * FROM ${table} WHERE job_id = $1`, [jobId])
  return rows[0] ?? null
}

export async function summary(pool, table) {
  const {rows} = await pool.query(
    `SELECT count(*)::int AS jobs, count(finished_at)::int AS finished,
       coalesce(sum(attempts), 0)::int AS attempts, count(*) FILTER (WHERE attempts > 1)::int AS retried,
       count(*) FILTER (WHERE completions > 1)::int AS completed_twice
     FROM ${table}`)
  return rows[0]
}
