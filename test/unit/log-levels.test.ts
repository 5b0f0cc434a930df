import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import { LogLevelError, LogLevels, parseConnectLevel } from '../../src/worker/log-levels.js';

function setup() {
  const lines: { level: number; msg: string; connector?: string }[] = [];
  const out = new Writable({ write(chunk, _e, done) { lines.push(JSON.parse(String(chunk))); done(); } });
  const levels = new LogLevels();
  const root = pino({ level: 'info', onChild: levels.onChild }, out);
  levels.attach(root);
  return { levels, root, lines };
}
const tick = () => new Promise((r) => setImmediate(r));

test('Connect level names map to pino levels, case-insensitively; others are a 400 naming the value', () => {
  assert.equal(parseConnectLevel('DEBUG'), 'debug');
  assert.equal(parseConnectLevel('warn'), 'warn');
  assert.equal(parseConnectLevel('OFF'), 'silent');
  assert.equal(parseConnectLevel('ALL'), 'trace');
  assert.throws(() => parseConnectLevel('VERBOSE'), (e: unknown) => e instanceof LogLevelError && e.status === 400 && /'VERBOSE'/.test(e.message));
  assert.throws(() => parseConnectLevel(3), LogLevelError);
});

test('a connector logger changes alone; root changes every logger, also grandchildren and later children', async () => {
  const { levels, root, lines } = setup();
  const a = root.child({ connector: 'a' });
  const aTable = a.child({ table: 't' });
  const b = root.child({ connector: 'b' });
  assert.deepEqual(levels.setLevel('pgcdc.connector.a', 'DEBUG'), ['pgcdc.connector.a']);
  a.debug('a debug');
  aTable.debug('a table debug');
  b.debug('b debug');
  root.debug('root debug');
  await tick();
  assert.deepEqual(lines.map((l) => l.msg), ['a debug', 'a table debug']);
  const again = root.child({ connector: 'a' });
  assert.equal(again.level, 'debug', 'a new logger of the connector (a restart) gets its level');
  assert.deepEqual(levels.setLevel('root', 'ERROR'), ['root', 'pgcdc.connector.a', 'pgcdc.connector.b']);
  for (const l of [root, a, aTable, b, again]) assert.equal(l.level, 'error');
  assert.equal(root.child({ connector: 'c' }).level, 'error');
  assert.equal(levels.get('pgcdc.connector.b').level, 'ERROR');
  assert.equal(levels.list().root!.level, 'ERROR');
});

test('unknown loggers are a 404 listing the loggers there are; untouched loggers show no last_modified', () => {
  const { levels, root } = setup();
  root.child({ connector: 'a' });
  assert.deepEqual(levels.list(), { root: { level: 'INFO', last_modified: null }, 'pgcdc.connector.a': { level: 'INFO', last_modified: null } });
  for (const name of ['io.debezium', 'pgcdc.connector.', 'pgcdc.connector.zzz']) {
    assert.throws(() => levels.get(name), (e: unknown) => e instanceof LogLevelError && e.status === 404 && /root and pgcdc\.connector\.<connector>/.test(e.message));
  }
});

test('a deleted connector\'s logger is no longer listed or found, and its level is forgotten', () => {
  const { levels, root } = setup();
  const present = new Set(['a', 'b']);
  levels.trackConnectors((name) => present.has(name));
  root.child({ connector: 'a' });
  root.child({ connector: 'b' });
  levels.setLevel('pgcdc.connector.b', 'DEBUG');
  assert.deepEqual(Object.keys(levels.list()), ['root', 'pgcdc.connector.a', 'pgcdc.connector.b']);
  present.delete('b');
  assert.deepEqual(Object.keys(levels.list()), ['root', 'pgcdc.connector.a']);
  assert.throws(() => levels.get('pgcdc.connector.b'), (e: unknown) => e instanceof LogLevelError && e.status === 404);
  present.add('b');
  root.child({ connector: 'b' });
  assert.equal(levels.get('pgcdc.connector.b').level, 'INFO', 'a new connector by that name starts at root\'s level');
});
