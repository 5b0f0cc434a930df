import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterSettingsFromEnv } from '../../src/cluster/cluster-settings.js';
import { workerProcessSettings, SettingsError } from '../../src/worker/settings.js';
import { routeOf, type ClusterRouting } from '../../src/rest/forwarding.js';

const rest = { host: '127.0.0.1', port: 8083, tls: false };

test('group.id makes a cluster worker with Connect defaults; its companions without it are refused by name', () => {
  const problems: string[] = [];
  assert.equal(clusterSettingsFromEnv({}, rest, problems), null);
  const s = clusterSettingsFromEnv({ PGCDC_KAFKA_GROUP_ID: 'cdc' }, rest, problems);
  assert.deepEqual(problems, []);
  assert.deepEqual(s, { groupId: 'cdc', sessionTimeoutMs: 10_000, heartbeatIntervalMs: 3_000, rebalanceTimeoutMs: 60_000, advertisedUrl: 'http://127.0.0.1:8083', advertisedId: '127.0.0.1:8083', statusTopic: 'pgcdc-status' });
  clusterSettingsFromEnv({ PGCDC_KAFKA_SESSION_TIMEOUT_MS: '6000' }, rest, problems);
  assert.match(problems[0]!, /session\.timeout\.ms: only used by a worker cluster; set group\.id/);
});

test('cluster settings are checked: bad numbers, heartbeat not below the session, wildcard bind without an advertised host', () => {
  const problems: string[] = [];
  clusterSettingsFromEnv({ PGCDC_KAFKA_GROUP_ID: 'cdc', PGCDC_KAFKA_SESSION_TIMEOUT_MS: 'ten', PGCDC_KAFKA_HEARTBEAT_INTERVAL_MS: '20000' }, { ...rest, host: '0.0.0.0' }, problems);
  assert.ok(problems.some((p) => p.startsWith('session.timeout.ms="ten"')), problems.join('\n'));
  assert.ok(problems.some((p) => p.startsWith('heartbeat.interval.ms (20000) must be lower than session.timeout.ms')), problems.join('\n'));
  assert.ok(problems.some((p) => p.includes('set rest.advertised.host.name')), problems.join('\n'));
  const ok: string[] = [];
  const s = clusterSettingsFromEnv({ PGCDC_KAFKA_GROUP_ID: 'cdc', PGCDC_KAFKA_REST_ADVERTISED_HOST_NAME: 'w1.internal', PGCDC_KAFKA_REST_ADVERTISED_PORT: '18083' }, { ...rest, host: '0.0.0.0' }, ok);
  assert.deepEqual(ok, []);
  assert.equal(s?.advertisedUrl, 'http://w1.internal:18083');
});

test('worker settings: the cluster keys and shared topic keys are used, not reported unused; PGCDC_CONFIG_FILE is refused in a cluster', () => {
  const s = workerProcessSettings({ PGCDC_KAFKA_GROUP_ID: 'cdc', PGCDC_REST_PORT: '18084', PGCDC_KAFKA_CONFIG_STORAGE_TOPIC: 'cfg', PGCDC_KAFKA_OFFSET_STORAGE_TOPIC: 'off' });
  assert.equal(s.cluster?.groupId, 'cdc');
  assert.equal(s.workerId, '127.0.0.1:18084');
  assert.equal(s.configTopic, 'cfg');
  assert.equal(s.offsetTopic, 'off');
  assert.throws(() => workerProcessSettings({ PGCDC_KAFKA_GROUP_ID: 'cdc', PGCDC_CONFIG_FILE: '/tmp/x.json' }), (e: unknown) => e instanceof SettingsError && /PGCDC_CONFIG_FILE/.test(e.message));
});

test('REST routing in a cluster: config writes to the leader, run-time routes to the owner, definitions here', () => {
  const cluster: ClusterRouting = { url: 'http://a:1', isLeader: false, leaderUrl: 'http://l:1', ownerUrl: (n) => (n === 'mine' ? 'http://a:1' : n === 'theirs' ? 'http://b:1' : null), lastStatus: async () => null, afterForwardedWrite: async () => {}, knows: (n) => n !== 'new' };
  assert.equal(routeOf('POST', '/connectors', undefined, cluster), 'http://l:1');
  assert.equal(routeOf('PUT', '/connectors/:name/config', 'mine', cluster), 'http://l:1');
  assert.equal(routeOf('DELETE', '/connectors/:name', 'theirs', cluster), 'http://l:1');
  assert.equal(routeOf('GET', '/connectors/:name/status', 'theirs', cluster), 'http://b:1');
  assert.equal(routeOf('POST', '/connectors/:name/restart', 'theirs', cluster), 'http://b:1');
  assert.equal(routeOf('GET', '/connectors/:name/status', 'mine', cluster), 'here');
  assert.equal(routeOf('GET', '/connectors/:name/status', 'unplaced', cluster), 'here');
  assert.equal(routeOf('GET', '/connectors/:name/config', 'theirs', cluster), 'here');
  assert.equal(routeOf('GET', '/connectors', undefined, cluster), 'here');
  assert.equal(routeOf('POST', '/connectors', undefined, { ...cluster, isLeader: true }), 'here');
  assert.equal(routeOf('POST', '/connectors', undefined, { ...cluster, leaderUrl: null }), 'nobody');
  // created through another worker a moment ago: the leader knows it already
  assert.equal(routeOf('GET', '/connectors/:name/status', 'new', cluster), 'http://l:1');
  assert.equal(routeOf('GET', '/connectors/:name/config', 'new', cluster), 'http://l:1');
  assert.equal(routeOf('GET', '/connectors/:name/status', 'new', { ...cluster, isLeader: true }), 'here');
});
