import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CONFIG_KEYS, columnFilter, parseProperties, redactConfig, redactText, resolveConfigProviders, splitList,
  tableFilter, toConnectValidationResponse, validateConnectorConfig, type FilterLists,
} from '../../src/config/index.js';

const minimal = {
  name: 'inventory-connector',
  'database.hostname': 'db.local',
  'database.user': 'cdc',
  'database.password': 's3cr3t-pw',
  'database.dbname': 'inventory',
  'topic.prefix': 'dbserver1',
};

test('a full valid config gives a typed config with defaults', () => {
  const { config, errors, warnings } = validateConnectorConfig({
    ...minimal,
    'database.port': 6543, // a JSON number is accepted
    'table.include.list': 'public.orders,inventory\\.customers_\\d{1,3}',
    'skipped.operations': 'none',
    'tombstones.on.delete': false,
    'snapshot.mode': 'WHEN_NEEDED',
    'max.batch.size': '100',
    'max.queue.size': '200',
    'value.converter.schema.registry.url': 'http://registry:8080/apis/ccompat/v7',
  });
  assert.deepEqual(errors, []);
  assert.deepEqual(warnings, []);
  assert.ok(config);
  assert.deepEqual(config.database, {
    host: 'db.local', port: 6543, user: 'cdc', password: 's3cr3t-pw', dbname: 'inventory', sslmode: 'prefer', sslrootcert: null, sslcert: null, sslkey: null, sslpassword: null, connectTimeoutMs: 10_000,
  });
  assert.equal(config.connectorClass, 'io.debezium.connector.postgresql.PostgresConnector');
  assert.equal(config.slotName, 'debezium');
  assert.equal(config.publicationName, 'dbz_publication');
  assert.equal(config.publicationAutocreateMode, 'filtered');
  assert.equal(config.tombstonesOnDelete, false);
  assert.deepEqual([...config.skippedOperations], []);
  assert.equal(config.snapshot.mode, 'when_needed');
  assert.equal(config.snapshot.fetchSize, 10240);
  assert.equal(config.maxQueueSize, 200);
  assert.equal(config.offsetFlushIntervalMs, 1000);
  assert.equal(config.registryUrl, 'http://registry:8080/apis/ccompat/v7');
  assert.equal(config.converters.keyRegistryUrl, 'http://registry:8080/apis/ccompat/v7', 'keys are registered where values are');
  assert.deepEqual(config.conversion, {
    decimalHandlingMode: 'precise', binaryHandlingMode: 'bytes', intervalHandlingMode: 'numeric',
    timePrecisionMode: 'adaptive', moneyFractionDigits: 2, includeUnknownDatatypes: false, hstoreHandlingMode: 'json',
  });
  assert.deepEqual(config.topicCreation, { partitions: 1, replicationFactor: -1, cleanupPolicy: 'delete' });
  assert.equal(config.errors.maxRetries, -1);
  assert.equal(config.alerts.lagMs, 5000);
  assert.equal(config.filters.table('public', 'orders'), true);
  assert.equal(config.filters.table('inventory', 'customers_12'), true);
  assert.equal(config.filters.table('public', 'other'), false);
  assert.equal(config.raw['database.port'], 6543);
});

test('defaults: skipped.operations is t, and keys are declared once', () => {
  const { config } = validateConnectorConfig(minimal);
  assert.ok(config);
  assert.deepEqual([...config.skippedOperations], ['t']);
  assert.equal(new Set(CONFIG_KEYS.map((k) => k.name)).size, CONFIG_KEYS.length);
});

test('many errors are reported at once, each naming its key', () => {
  const { config, errors } = validateConnectorConfig({
    name: 'bad/name',
    'connector.class': 'io.debezium.connector.mysql.MySqlConnector',
    'tasks.max': '3',
    'database.port': 'abc',
    'database.user': '',
    'database.password': 'hunter2-secret',
    'topic.prefix': 'bad prefix',
    'plugin.name': 'wal2json',
    'slot.name': 'Bad-Slot',
    'table.include.list': 'public.a',
    'table.exclude.list': 'public.b',
    'column.exclude.list': 'public.t.(unclosed',
    'skipped.operations': 'c,x',
    'time.precision.mode': 'connect',
    'hstore.handling.mode': 'array',
    'snapshot.mode': 'custom',
    'max.batch.size': '9000',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter.schema.registry.url': 'ftp://x',
    'heartbeat.interval.ms': '-5',
    'topic.creation.default.partitions': '0',
    'poll.interval.ms': { nested: true },
  });
  assert.equal(config, undefined);
  const byKey = new Map<string, string>();
  for (const e of errors) byKey.set(e.key, (byKey.get(e.key) ?? '') + e.message);
  for (const key of [
    'name', 'connector.class', 'tasks.max', 'database.hostname', 'database.port', 'database.user',
    'database.dbname', 'topic.prefix', 'plugin.name', 'slot.name', 'table.exclude.list', 'column.exclude.list',
    'skipped.operations', 'time.precision.mode', 'hstore.handling.mode', 'snapshot.mode', 'max.queue.size',
    'value.converter', 'value.converter.schema.registry.url', 'heartbeat.interval.ms',
    'topic.creation.default.partitions', 'poll.interval.ms',
  ]) {
    assert.ok(byKey.has(key), `expected an error for ${key}; got ${JSON.stringify(errors, null, 1)}`);
    assert.ok(byKey.get(key)!.includes(key), `message names ${key}: ${byKey.get(key)}`);
  }
  assert.match(byKey.get('database.hostname')!, /Missing required configuration "database.hostname"/);
  assert.match(byKey.get('plugin.name')!, /not supported by pgcdc; use pgoutput/);
  assert.match(byKey.get('time.precision.mode')!, /not supported by pgcdc yet/);
  assert.match(byKey.get('value.converter')!, /pgcdc only writes Avro/);
  assert.match(byKey.get('table.exclude.list')!, /table\.include\.list and table\.exclude\.list are mutually exclusive/);
  assert.match(byKey.get('max.queue.size')!, /max\.batch\.size/);
  assert.ok(!errors.some((e) => e.message.includes('hunter2')), 'no secret in messages');
});

test('a Debezium config validates, with warnings for keys pgcdc ignores', () => {
  const { config, errors, warnings } = validateConnectorConfig({
    ...minimal,
    'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
    'tasks.max': '1',
    'plugin.name': 'pgoutput',
    'database.server.name': 'dbserver1',
    'snapshot.mode': 'never',
    'key.converter': 'io.confluent.connect.avro.AvroConverter',
    'key.converter.schema.registry.url': 'http://schema-registry:8081',
    'value.converter.schema.registry.url': 'http://schema-registry:8081/',
    'key.converter.enhanced.avro.schema.support': 'true',
    'value.converter': 'io.apicurio.registry.utils.converter.AvroConverter',
    'message.key.columns': 'public.t:id',
    'some.typo.key': 'x',
  });
  assert.deepEqual(errors, []);
  assert.ok(config);
  assert.equal(config.snapshot.mode, 'no_data');
  const w = new Map(warnings.map((x) => [x.key, x.message]));
  assert.match(w.get('snapshot.mode')!, /treated as "no_data"/);
  for (const key of ['database.server.name', 'key.converter.enhanced.avro.schema.support']) {
    assert.match(w.get(key) ?? '', /known Debezium\/Kafka Connect key not implemented by pgcdc; ignored/, key);
  }
  assert.match(w.get('some.typo.key')!, /not recognised by pgcdc; ignored/);
  assert.ok(!w.has('key.converter.schema.registry.url'));
  assert.ok(!w.has('message.key.columns'), 'message.key.columns is implemented');
});

test('password redaction in configs and text', () => {
  const raw = { ...minimal, 'value.converter.basic.auth.user.info': 'u:p4ss', 'alert.webhook.url': 'https://bot:tok3n@hooks.example/x' };
  const shown = redactConfig(raw);
  assert.equal(shown['database.password'], '[hidden]');
  assert.equal(shown['value.converter.basic.auth.user.info'], '[hidden]');
  assert.equal(shown['alert.webhook.url'], 'https://bot:[hidden]@hooks.example/x');
  assert.equal(shown['database.user'], 'cdc');
  assert.equal(raw['database.password'], 's3cr3t-pw', 'input untouched');
  // Only declared secret keys' values can reach a driver's message; ignored keys are never used.
  assert.equal(
    redactText('auth failed for cdc with s3cr3t-pw at https://bot:tok3n@hooks.example/x', raw),
    'auth failed for cdc with [hidden] at https://bot:[hidden]@hooks.example/x',
  );
});

test('env and file config providers (enabled by the operator, secret keys only)', async () => {
  const files: Record<string, string> = {
    '/etc/pgcdc/db.properties': '# credentials\npassword = from-file\\u0021\nuser: replicator\nlong=a\\\n  b\n',
  };
  const readFile = async (path: string) => {
    if (!(path in files)) throw Object.assign(new Error(`ENOENT ${path}`), { code: 'ENOENT' });
    return files[path]!;
  };
  const policy = { fileAllowedPaths: ['/etc/pgcdc'], envAllowlist: /PG.*/ };
  const stored = { ...minimal, 'database.password': '${file:/etc/pgcdc/db.properties:password}' };
  const r = await resolveConfigProviders(stored, { policy, env: { PGHOST: 'pg1' }, readFile });
  assert.deepEqual(r.errors, []);
  assert.equal(r.config['database.password'], 'from-file!');
  assert.deepEqual(r.resolvedValues, ['from-file!']);
  assert.equal(stored['database.password'], '${file:/etc/pgcdc/db.properties:password}', 'stored keeps the reference');
  assert.equal(parseProperties(files['/etc/pgcdc/db.properties']!).get('long'), 'ab');

  const bad = await resolveConfigProviders(
    { 'database.password': '${env:NOPE}', 'database.hostname': '${env:PGHOST}', 'x.password': '${vault:a:b}' },
    { policy, env: {}, readFile },
  );
  assert.deepEqual(bad.errors.map((e) => e.key), ['database.password', 'database.hostname', 'x.password']);
  assert.match(bad.errors[0]!.message, /database\.password.*\$\{env:NOPE\}.*not allowed by PGCDC_CONFIG_PROVIDERS_ENV_PARAM_ALLOWLIST_PATTERN/);
  assert.match(bad.errors[1]!.message, /only in secret keys/);
  assert.match(bad.errors[2]!.message, /"vault" is not supported/);
  assert.equal(bad.config['database.password'], '${env:NOPE}');
});

test('filters are anchored to the whole identifier and skip system schemas', () => {
  const none: FilterLists = {
    schemaIncludeList: null, schemaExcludeList: null, tableIncludeList: null, tableExcludeList: null,
    columnIncludeList: null, columnExcludeList: null,
  };
  const t = tableFilter({ ...none, tableIncludeList: ['public.order'] });
  assert.equal(t('public', 'order'), true);
  assert.equal(t('public', 'orders'), false, 'no prefix match');
  assert.equal(t('mypublic', 'order'), false, 'no suffix match');
  assert.equal(t('PUBLIC', 'Order'), true, 'case-insensitive like Debezium');
  const all = tableFilter(none);
  assert.equal(all('public', 'x'), true);
  for (const s of ['pg_catalog', 'information_schema', 'pg_toast', 'pg_temp_3']) assert.equal(all(s, 'x'), false, s);
  const ex = tableFilter({ ...none, schemaExcludeList: ['audit'], tableExcludeList: ['public\\.tmp_.*'] });
  assert.equal(ex('audit', 'log'), false);
  assert.equal(ex('audit_x', 'log'), true);
  assert.equal(ex('public', 'tmp_1'), false);
  const c = columnFilter({ ...none, columnExcludeList: ['public.users.pass'] });
  assert.equal(c('public', 'users', 'pass'), false);
  assert.equal(c('public', 'users', 'password'), true);
  assert.deepEqual(splitList('a\\,b, c{1,2} ,d'), ['a,b', 'c{1,2}', 'd']);
});

test('Kafka Connect validation response shape', async () => {
  const res = toConnectValidationResponse({ ...minimal, 'database.port': '0', 'database.hostname': '', 'foo.bar': '1' });
  assert.equal(res.name, 'io.debezium.connector.postgresql.PostgresConnector');
  assert.equal(res.error_count, 2);
  assert.ok(res.groups.includes('Connection'));
  assert.equal(res.configs.length, CONFIG_KEYS.length);
  const port = res.configs.find((c) => c.definition.name === 'database.port')!;
  assert.deepEqual(Object.keys(port.definition).sort(), [
    'default_value', 'dependents', 'display_name', 'documentation', 'group', 'importance', 'name', 'order', 'required', 'type', 'width',
  ]);
  assert.deepEqual(Object.keys(port.value).sort(), ['errors', 'name', 'recommended_values', 'value', 'visible']);
  assert.equal(port.definition.default_value, '5432');
  assert.equal(port.definition.type, 'INT');
  assert.equal(port.value.value, '0');
  assert.equal(port.value.errors.length, 1);
  const pw = res.configs.find((c) => c.definition.name === 'database.password')!;
  assert.equal(pw.value.value, '[hidden]');
  const host = res.configs.find((c) => c.definition.name === 'database.hostname')!;
  assert.equal(host.definition.required, true);
  assert.equal(host.definition.default_value, null);
  const mode = res.configs.find((c) => c.definition.name === 'snapshot.mode')!;
  assert.equal(mode.value.value, 'initial');
  assert.ok(mode.value.recommended_values.includes('when_needed'));
  assert.deepEqual(res.warnings.map((w) => w.key), ['foo.bar']);
  assert.ok(!JSON.stringify(res).includes('s3cr3t-pw'));

  const refs = { ...minimal, 'database.password': '${env:PW}', 'database.port': '5440' };
  const withRefs = toConnectValidationResponse(refs, { resolution: await resolveConfigProviders(refs, { policy: { fileAllowedPaths: null, envAllowlist: /PW/ }, env: {} }) });
  assert.equal(withRefs.error_count, 1, 'only the missing PW reference');
  const refPw = withRefs.configs.find((c) => c.definition.name === 'database.password')!;
  assert.match(refPw.value.errors[0]!, /PW is not set/);
});
