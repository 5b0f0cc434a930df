import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { testServices } from '../harness/services.js';
import { dropDatabase, freshDatabase, withClient } from '../harness/database.js';
import { eventually } from '../harness/connector.js';
import { ReplicationStream } from '../../src/postgres/replication-stream.js';
import { parseLsn, type Lsn } from '../../src/postgres/lsn.js';

// pg_stat_replication.reply_time is what a staleness check on a walsender reads; the standby status
// updates pgcdc sends must carry the real clock and exactly the confirmed position.
const NAME = 'pgcdc_it_reply_time';
let stream: ReplicationStream | undefined;
let running: Promise<void> | undefined;

after(async () => {
  await stream?.stop();
  await running?.catch(() => {});
  await dropDatabase(await testServices(), NAME);
});

test('the walsender shows reply_time as now and confirmed_flush_lsn exactly at the confirmed commit', async () => {
  const services = await testServices();
  const db = await freshDatabase(services, NAME);
  const start = await withClient(db, async (c) => {
    await c.query(`CREATE TABLE t (id int PRIMARY KEY); CREATE PUBLICATION ${NAME} FOR TABLE t`);
    const slot = await c.query<{ lsn: string }>(`SELECT lsn::text FROM pg_create_logical_replication_slot($1, 'pgoutput')`, [NAME]);
    for (let i = 1; i <= 3; i++) await c.query('INSERT INTO t VALUES ($1)', [i]);
    return parseLsn(slot.rows[0].lsn);
  });

  stream = new ReplicationStream(db, { slotName: NAME, publicationName: NAME, statusIntervalMs: 300, serverVersionNum: 0 });
  const commitEnds: Lsn[] = [];
  running = stream.run(start, (_lsn, message) => {
    if (message.tag === 'commit') commitEnds.push(message.endLsn);
  });
  running.catch(() => {});
  await eventually(() => commitEnds.length === 3, 'three commits to stream');
  // the middle one: the server must record this position, not the stream's end nor one byte off
  const confirmed = commitEnds[1];
  stream.confirm(confirmed);

  const walsender = () =>
    withClient(db, async (c) => {
      const r = await c.query<{ confirmed: string; flush: string; ahead: number; reply_us: string }>(
        `SELECT s.confirmed_flush_lsn::text AS confirmed, r.flush_lsn::text AS flush,
                extract(epoch FROM r.reply_time - clock_timestamp())::float8 AS ahead,
                (extract(epoch FROM r.reply_time) * 1000000)::bigint::text AS reply_us
           FROM pg_replication_slots s JOIN pg_stat_replication r ON r.pid = s.active_pid
          WHERE s.slot_name = $1`,
        [NAME],
      );
      const row = r.rows[0];
      return row && { confirmed: parseLsn(row.confirmed), flush: parseLsn(row.flush), ahead: row.ahead, replyUs: BigInt(row.reply_us) };
    });
  await eventually(async () => (await walsender())?.confirmed === confirmed, 'the slot to record the confirmed position');
  const first = (await walsender())!;
  assert.equal(first.confirmed, confirmed);
  assert.equal(first.flush, confirmed);
  assert.ok(Math.abs(first.ahead) < 3, `reply_time is ${first.ahead} s from now`);

  // the periodic status keeps reply_time current while nothing new is confirmed
  await new Promise((r) => setTimeout(r, 1500));
  const later = (await walsender())!;
  assert.ok(later.replyUs - first.replyUs >= 1_000_000n, `reply_time advanced by ${later.replyUs - first.replyUs} µs in 1.5 s`);
  assert.ok(Math.abs(later.ahead) < 3, `reply_time is ${later.ahead} s from now`);
  assert.equal(later.confirmed, confirmed);
});
