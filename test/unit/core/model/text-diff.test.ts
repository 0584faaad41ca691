// The diffs tsq prints and puts in JSON (setup's Procfile, .env, Rails config and database.yml; export's unit
// files) never carry a secret of the files they compare: literal values of secret-named keys and URL passwords
// are masked on every line, context lines included, while the lines that changed are still marked as changed.
import {describe, expect, it} from 'vitest'
import {lineDiff, redactDiff, unifiedDiff} from '../../../../src/core/model/text-diff.js'

const SENTINELS = /SENTINEL\w*/

describe('lineDiff and unifiedDiff mask secrets on every line', () => {
  it('database.yml: a literal password: and a URL password in context, a removed url: line, the added pooler line', () => {
    const before = 'production:\n  <<: *default\n  username: app\n  password: SENTINELdbPassword\n  url: postgres://app:SENTINELdbUrl@db.example.com:5432/app?sslpassword=SENTINELsslpw\n'
    const after = 'production:\n  <<: *default\n  username: app\n  password: SENTINELdbPassword\n  url: <%= ENV["DATABASE_CONNECTION_POOL_URL"] %>\n  prepared_statements: false\n'
    const diff = unifiedDiff('config/database.yml', before, after)
    expect(diff).toEqual(['--- a/config/database.yml', '+++ b/config/database.yml', '@@ -2,4 +2,5 @@', '   <<: *default', '   username: app', '   password: *****',
      '-  url: postgres://app:*****@db.example.com:5432/app?sslpassword=*****', '+  url: <%= ENV["DATABASE_CONNECTION_POOL_URL"] %>', '+  prepared_statements: false'])
    expect(lineDiff(before, after).join('\n')).not.toMatch(SENTINELS)
  })

  it('puma.rb (Ruby): `key: "value"`, `:key => "value"` and `secret = "value"` keep their quotes and keys; ENV reads stay as they are', () => {
    const before = [
      'workers Integer(ENV.fetch("WEB_CONCURRENCY") { 2 })',
      'plugin :statsd, api_key: "SENTINELrubyKey", token: \'SENTINELrubyToken\'',
      'options = {:password => "SENTINELarrow", "secret" => \'SENTINELarrow2\'}',
      'control_secret = "SENTINELassign"',
      'activate_control_app "unix:///tmp/pumactl.sock", { auth_token: ENV["PUMA_TOKEN"] }',
    ].join('\n') + '\n'
    const after = before.replace('{ 2 }', '{ 1 }')
    expect(lineDiff(before, after)).toEqual([
      '-workers Integer(ENV.fetch("WEB_CONCURRENCY") { 2 })',
      '+workers Integer(ENV.fetch("WEB_CONCURRENCY") { 1 })',
      ' plugin :statsd, api_key: "*****", token: \'*****\'',
      ' options = {:password => "*****", "secret" => \'*****\'}',
      ' control_secret = "*****"',
      ' activate_control_app "unix:///tmp/pumactl.sock", { auth_token: ENV["PUMA_TOKEN"] }',
    ])
  })

  it('Procfile: an inline SECRET=value before a command and a URL with a password; $VARIABLE references stay', () => {
    const before = 'web: API_TOKEN=SENTINELprocToken bundle exec puma -C config/puma.rb\nworker: bundle exec sidekiq\n'
    const after = `${before}release: DATABASE_CONNECTION_POOL_URL=$DATABASE_URL REDIS_URL=redis://:SENTINELprocUrl@h:6379 bin/rails db:migrate\n`
    expect(lineDiff(before, after)).toEqual([
      ' web: API_TOKEN=***** bundle exec puma -C config/puma.rb',
      ' worker: bundle exec sidekiq',
      '+release: DATABASE_CONNECTION_POOL_URL=$DATABASE_URL REDIS_URL=redis://:*****@h:6379 bin/rails db:migrate',
    ])
  })

  it('.env: values of names with PASSWORD, SECRET, TOKEN or KEY and URL passwords are masked (quoted, exported or not); other values show', () => {
    const before = 'DATABASE_URL=postgres://u:SENTINELenvUrl@h:5432/d\nDB_PASSWORD=SENTINELenvPw\nexport SECRET_KEY_BASE="SENTINELenvSkb"\nSTRIPE_KEY=\'SENTINELenvKey\'\nGITHUB_TOKEN=SENTINELenvTok\nTSQ_CONCURRENCY=5\n'
    const after = before.replace('TSQ_CONCURRENCY=5', 'TSQ_CONCURRENCY=2')
    expect(lineDiff(before, after)).toEqual([
      ' DATABASE_URL=postgres://u:*****@h:5432/d', ' DB_PASSWORD=*****', ' export SECRET_KEY_BASE="*****"', ' STRIPE_KEY=\'*****\'', ' GITHUB_TOKEN=*****',
      '-TSQ_CONCURRENCY=5', '+TSQ_CONCURRENCY=2',
    ])
  })

  it('a changed secret still shows as a removed and an added line, both masked', () => {
    expect(lineDiff('password: SENTINELold\n', 'password: SENTINELnew\n')).toEqual(['-password: *****', '+password: *****'])
  })

  it('redactDiff keeps each line\'s mark and masks the rest (for a diff built line by line)', () => {
    expect(redactDiff([' a: 1', '-TOKEN=SENTINELx', '+TOKEN=$TOKEN'])).toEqual([' a: 1', '-TOKEN=*****', '+TOKEN=$TOKEN'])
  })
})
