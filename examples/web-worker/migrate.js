// The release-phase migration: creates the results table. Runs as `release:` (role none, so no pool;
// one client, counted in the reserve tsq:doctor keeps for one-off and release dynos).
import {createPgClient, resolveSettings} from 'heroku-tsq/runtime'
import {schemaSql, tableName} from './db.js'

const table = tableName()
const client = createPgClient(resolveSettings(process.env))
await client.connect()
try {
  await client.query(schemaSql(table))
  console.log(`migrate: table ${table} is ready`)
} finally {
  await client.end()
}
