/**
 * Cluster mode (PGCDC_KAFKA_GROUP_ID, Kafka Connect's group.id) with real worker processes on the
 * shared stack, every connector exactly-once (exactly.once.support=required) under a write load:
 *  1. kill -9 of one of 3 workers: its connectors run on the two survivors within the session
 *     timeout and a few seconds, from their stored offsets: nothing read twice, no gap;
 *  2. a worker frozen (SIGSTOP) past its session: its connector moves to the other worker (which
 *     takes over the slot the frozen walsender holds); woken (SIGCONT), the zombie stops it at once
 *     and delivers, stores and confirms nothing more for it, then rejoins;
 *  3. a rolling restart (SIGTERM, start again on the same port) of each of 3 workers in turn:
 *     every connector's longest pause stays bounded, and again nothing twice, nothing missing.
 * Group timings: session 6 s, heartbeat 1 s, rebalance 10 s (test/harness/cluster.ts).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { testServices, type TestServices } from '../harness/services.js';
import { CLUSTER_TIMING, ClusterSource, isRunning, sleep, StatusSampler, TestCluster, type LogLine } from '../harness/cluster.js';
import type { WorkerHttp } from '../harness/worker-http.js';
import { eventually } from '../harness/connector.js';
import { committedOffset } from '../harness/committed-offset.js';
import { TopicEnds } from '../harness/topic-ends.js';
import { KafkaOffsetStore } from '../../src/offsets/offset-store.js';
import { parseLsn } from '../../src/postgres/lsn.js';
import { openKafka } from '../../src/kafka/client.js';

/** ms between two transactions of each write load: moderate, the machine has 2 cores. */
const WRITE_PAUSE_MS = 60;

async function setUp(services: TestServices, label: string, workers: number, connectors: number): Promise<{ cluster: TestCluster; sources: ClusterSource[] }> {
  const sources = Array.from({ length: connectors }, (_, i) => new ClusterSource(services, `pgcdc_it_cluster_${label}_${i + 1}`, WRITE_PAUSE_MS));
  for (const s of sources) await s.create();
  const cluster = new TestCluster(services, label, workers);
  return { cluster, sources };
}

/** Creates every connector, each through another worker (forwarded to the leader), and waits until they are spread evenly, all RUNNING. */
async function createAll(cluster: TestCluster, sources: ClusterSource[]): Promise<void> {
  for (const [i, s] of sources.entries()) {
    const through = cluster.workers[i % cluster.workers.length]!;
    await cluster.create(s.name, s.config, through);
    // read your own writes: the worker the create went through lists it and answers for it at once
    const listed = (await through.request('GET', '/connectors')).body as string[];
    assert.ok(listed.includes(s.name), `${cluster.describe(through.workerId)} lists ${s.name} right after its 201: ${JSON.stringify(listed)}`);
    assert.equal((await through.request('GET', `/connectors/${s.name}/config`)).status, 200, `GET config of ${s.name} right after its 201`);
  }
  const names = sources.map((s) => s.name);
  // GET /connectors is answered from the config topic as each worker has read it: every worker lists them all soon after.
  const created = Date.now();
  for (const w of cluster.workers) {
    let listed: unknown;
    await eventually(async () => {
      listed = (await w.request('GET', '/connectors')).body;
      return Array.isArray(listed) && JSON.stringify([...listed].sort()) === JSON.stringify([...names].sort());
    }, `GET /connectors on ${cluster.describe(w.workerId)} listing every connector of the cluster`, 15_000).catch((err) => {
      throw new Error(`${(err as Error).message}: it lists ${JSON.stringify(listed)}`);
    });
  }
  console.log(`every worker lists all ${names.length} connectors ${Date.now() - created} ms after the last 201`);
  const seen = await cluster.waitFor(names, (s) => cluster.evenlyRunning(s), `all ${names.length} connectors RUNNING, spread evenly`, 120_000);
  console.log(`placement: ${cluster.show(seen)}`);
}

/** A suite's cluster: started with its connectors created before the tests, stopped and dropped after. */
function clusterHooks(label: string, workers: number, connectors: number, ready: (cluster: TestCluster, sources: ClusterSource[], services: TestServices) => void): void {
  let cluster: TestCluster | undefined;
  let sources: ClusterSource[] = [];
  before(async () => {
    const services = await testServices();
    ({ cluster, sources } = await setUp(services, label, workers, connectors));
    ready(cluster, sources, services);
    await cluster.start();
    await createAll(cluster, sources);
  });
  after(async () => {
    for (const s of sources) await s.load?.stop().catch(() => 0);
    await cluster?.close();
    for (const s of sources) await s.drop();
  });
}

/** Ends every write load, then checks each connector: read_committed once each, the copy equals the source. */
async function stopLoadsAndCheck(sources: ClusterSource[]): Promise<void> {
  for (const s of sources) await s.load.stop();
  for (const s of sources) {
    const f = await s.checkDelivered();
    console.log(`${s.name}: ${s.load.committed} transactions written, ${f.events} change events read once each, 0 duplicates, copy = source`);
  }
}

function logTail(cluster: TestCluster, chars = 4000): string {
  return cluster.workers.map((w, i) => `--- w${i + 1} (${w.workerId}) ---\n${w.output.slice(-chars)}`).join('\n');
}

describe('cluster: kill -9 of one of three workers', () => {
  let services: TestServices;
  let cluster: TestCluster | undefined;
  let sources: ClusterSource[] = [];
  clusterHooks('kill', 3, 6, (c, s, shared) => {
    cluster = c;
    sources = s;
    services = shared;
  });

  it('the dead worker\'s connectors run on the survivors within the session timeout + 15 s; read_committed sees every change once and the copies equal the sources', { timeout: 560_000 }, async () => {
    const c = cluster!;
    const names = sources.map((s) => s.name);
    for (const s of sources) s.load.start();
    await sleep(4000);

    const before = await c.statuses(names);
    assert.ok(c.evenlyRunning(before), `all RUNNING, 2 per worker, before the kill: ${c.show(before)}`);
    const spread = c.spread(TestCluster.placement(before));
    assert.deepEqual([...spread.values()].map((l) => l.length), [2, 2, 2], `2 connectors per worker: ${c.show(before)}`);
    const victim = c.workers[1]!;
    const moved = spread.get(victim.workerId)!;
    const stayed = new Map([...TestCluster.placement(before)].filter(([n]) => !moved.includes(n)));

    const t0 = Date.now();
    const { code } = await victim.stop('SIGKILL');
    assert.equal(code, null, 'killed by the signal');
    const survivors = c.live();
    assert.equal(survivors.length, 2);
    const after = await c.waitFor(names, (s) => c.evenlyRunning(s), `all 6 RUNNING on the two survivors after the kill of ${c.describe(victim.workerId)} (it ran ${moved.join(', ')})`, CLUSTER_TIMING.sessionTimeoutMs + 15_000).catch((err) => {
      throw new Error(`${(err as Error).message}\n${logTail(c)}`);
    });
    const failoverMs = Date.now() - t0;
    console.log(`kill -9 failover: all 6 connectors RUNNING on the 2 survivors ${failoverMs} ms after the kill (session timeout ${CLUSTER_TIMING.sessionTimeoutMs} ms); moved: ${moved.join(', ')}; now ${c.show(after)}`);
    assert.ok(failoverMs <= CLUSTER_TIMING.sessionTimeoutMs + 15_000, `failover within session timeout + 15 s (${failoverMs} ms)`);
    const spreadAfter = c.spread(TestCluster.placement(after));
    assert.deepEqual([...spreadAfter.values()].map((l) => l.length).sort(), [3, 3], `3 connectors per survivor: ${c.show(after)}`);
    for (const s of after.values()) assert.notEqual(s.workerId, victim.workerId, `${s.name} not on the dead worker`);
    // every worker's status says the same
    const viaOther = await c.statuses(names, survivors[1]!);
    assert.deepEqual(TestCluster.placement(viaOther), TestCluster.placement(after), 'both survivors show the same placement');
    for (const [n, id] of stayed) {
      if (TestCluster.placement(after).get(n) !== id) console.log(`note: ${n} also moved (${c.describe(id)} -> ${c.describe(TestCluster.placement(after).get(n)!)})`);
    }

    // The status topic (Connect's layout) names the worker each connector runs on now.
    const statusLog = openKafka({ clientId: 'pgcdc-test-status', brokers: services.kafkaBrokers }).compactedLog(c.statusTopic);
    const placed = TestCluster.placement(after);
    let reported = new Map<string, string>();
    await eventually(async () => {
      reported = await statusLog.readAll();
      return [...placed].every(([n, id]) => {
        const v = reported.get(`status-connector-${n}`);
        const record = v ? (JSON.parse(v) as { state: string; worker_id: string }) : null;
        return record?.state === 'RUNNING' && record.worker_id === id && reported.has(`status-task-${n}-0`);
      });
    }, 'the status topic names the survivor every connector runs on', 15_000).catch((err) => {
      throw new Error(`${(err as Error).message}: ${JSON.stringify(Object.fromEntries(reported))}`);
    });
    await statusLog.close();

    await sleep(5000); // writes go on on the new owners
    await stopLoadsAndCheck(sources);
  });
});

describe('cluster: a frozen worker (SIGSTOP past its session) is a zombie that must not act', () => {
  let services: TestServices;
  let cluster: TestCluster | undefined;
  let sources: ClusterSource[] = [];
  clusterHooks('zombie', 2, 2, (c, s, shared) => {
    cluster = c;
    sources = s;
    services = shared;
  });

  it('its connector moves to the other worker; on SIGCONT it stops it at once (lease lost) and stores or confirms nothing for it; no duplicate, no gap', { timeout: 560_000 }, async () => {
    const c = cluster!;
    const names = sources.map((s) => s.name);
    for (const s of sources) s.load.start();
    await sleep(4000);

    const X = sources[0]!;
    const start = await c.statuses(names);
    const ownerId = TestCluster.placement(start).get(X.name);
    assert.ok(ownerId, `${X.name} RUNNING: ${c.show(start)}`);
    const frozen = c.byId(ownerId)!;
    const other = c.workers.find((w) => w !== frozen)!;
    const slotBefore = await X.slotState();
    console.log(`${X.name} runs on ${c.describe(frozen.workerId)} (walsender pid ${slotBefore.activePid}); freezing that worker`);

    const stoppedAt = Date.now();
    frozen.pause();
    // Polled from the freeze on (up to 90 s); frozen at least session timeout + 5 s in any case.
    const moved = await c.waitFor([X.name], (s) => isRunning(s.get(X.name)) && s.get(X.name)!.workerId === other.workerId, `${X.name} RUNNING on ${c.describe(other.workerId)} while ${c.describe(frozen.workerId)} is frozen`, 90_000, () => other).catch((err) => {
      throw new Error(`${(err as Error).message}\n--- ${other.workerId} (the live worker) ---\n${other.output.slice(-6000)}`);
    });
    const failoverMs = Date.now() - stoppedAt;
    assert.ok(failoverMs >= CLUSTER_TIMING.sessionTimeoutMs - 1500, `not moved before the frozen worker's session could expire (${failoverMs} ms)`);
    await sleep(Math.max(0, stoppedAt + CLUSTER_TIMING.sessionTimeoutMs + 5000 - Date.now()));
    console.log(`SIGSTOP failover: ${X.name} RUNNING on ${c.describe(moved.get(X.name)!.workerId)} ${failoverMs} ms after the freeze (session ${CLUSTER_TIMING.sessionTimeoutMs} ms; the worker stayed frozen ${Date.now() - stoppedAt} ms)`);
    const assignedLine = TestCluster.logLines(other).find((l) => l.connector === X.name && l.msg === 'connector assigned to this worker' && l.time >= stoppedAt);
    // a status read forwarded to the frozen owner waits for its timeout, so the log tells the moment better
    if (assignedLine) console.log(`SIGSTOP failover: ${c.describe(other.workerId)} logged '${assignedLine.msg}' for ${X.name} ${assignedLine.time - stoppedAt} ms after the freeze`);
    const both = await c.statuses(names, other);
    assert.ok(names.every((n) => isRunning(both.get(n)) && both.get(n)!.workerId === other.workerId), `both connectors RUNNING on the live worker: ${c.show(both)}`);
    const takeover = TestCluster.logLines(other).find((l) => l.connector === X.name && /ended the walsender of the previous owner/.test(l.msg) && l.time >= stoppedAt);
    console.log(takeover ? `the new owner ended the frozen walsender: ${JSON.stringify(takeover)}` : 'the new owner did not log ending the frozen walsender (the slot was free, or it waited for PostgreSQL)');

    await sleep(2000); // the new owner streams and confirms
    const slotAtWake = await X.slotState();
    console.log(`before SIGCONT: ${X.name} slot confirmed_flush_lsn ${slotAtWake.confirmed} (walsender pid ${slotAtWake.activePid}; before the freeze ${slotBefore.confirmed}, pid ${slotBefore.activePid})`);
    assert.notEqual(slotAtWake.activePid, slotBefore.activePid, 'the slot is held by another walsender than the frozen worker\'s');

    const ends = new TopicEnds(services.kafkaBrokers);
    const offsetKey = KafkaOffsetStore.key(X.name, X.prefix);
    const storedFlush = async () => {
      const o = await committedOffset(services.kafkaBrokers, ends, c.offsetTopic, offsetKey);
      return o ? BigInt(o.pgcdc_flush_lsn as string) : null;
    };
    let flushAtWake: bigint | null;
    let flushAfter: bigint | null;
    let slotAfter: Awaited<ReturnType<ClusterSource['slotState']>>;
    const wokeAt = Date.now();
    try {
      flushAtWake = await storedFlush();
      frozen.resume();
      await sleep(6000);
      // slot first, then the offset: the LSN is confirmed only after an offset covering it was stored
      slotAfter = await X.slotState();
      flushAfter = await storedFlush();
    } finally {
      await ends.close();
    }
    console.log(`6 s after SIGCONT: ${X.name} slot confirmed_flush_lsn ${slotAfter.confirmed} (walsender pid ${slotAfter.activePid}); stored offset flush LSN ${flushAtWake} at SIGCONT, ${flushAfter} 6 s later`);
    assert.ok(flushAtWake !== null && flushAfter !== null && flushAfter >= flushAtWake, `the stored offset of ${X.name} did not go back (a stale offset of the zombie): ${flushAtWake} -> ${flushAfter}`);
    assert.ok(slotAfter.confirmed !== null && slotAtWake.confirmed !== null && parseLsn(slotAfter.confirmed) >= parseLsn(slotAtWake.confirmed), `confirmed_flush_lsn did not go back: ${slotAtWake.confirmed} -> ${slotAfter.confirmed}`);
    assert.ok(parseLsn(slotAfter.confirmed) <= flushAfter, `confirmed_flush_lsn ${slotAfter.confirmed} not past the stored offset's flush LSN ${flushAfter}`);
    assert.equal(slotAfter.activePid, slotAtWake.activePid, 'the new owner\'s walsender still holds the slot: the woken worker did not take it back');

    const lines = TestCluster.logLines(frozen).filter((l) => l.time >= wokeAt);
    // The woken worker may get connectors again after it rejoined, in a new session: only what comes before that counts.
    const reassigned = lines.find((l) => l.connector === X.name && l.msg === 'connector assigned to this worker');
    const zombieWindow = reassigned ? lines.filter((l) => l.time < reassigned.time) : lines;
    const show = (ls: LogLine[]) => ls.map((l) => JSON.stringify(l)).join('\n');
    const acted = zombieWindow.filter((l) => l.connector === X.name && /offset stored|streaming starts|snapshot starts|delivered|committed/.test(l.msg));
    assert.deepEqual(acted.map((l) => l.msg), [], `the woken worker stored, confirmed or delivered nothing for ${X.name}:\n${show(acted)}`);
    const stopping = zombieWindow.find((l) => /^stopping the connectors of this worker: /.test(l.msg) && (l.connectors ?? []).includes(X.name));
    assert.ok(stopping, `the woken worker logs stopping ${X.name}; its log since SIGCONT:\n${show(lines).slice(0, 6000)}`);
    assert.match(stopping.msg, /group lease lost|lost its place in the group/, 'because it lost its lease');
    console.log(`the woken worker stopped ${X.name} ${stopping.time - wokeAt} ms after SIGCONT: ${JSON.stringify(stopping)}`);
    assert.ok(stopping.time - wokeAt < 3000, `at once after waking (${stopping.time - wokeAt} ms)`);
    const leaseLine = zombieWindow.find((l) => /lost its group lease/.test(l.msg));
    console.log(leaseLine ? `its lease line: ${JSON.stringify(leaseLine)}` : 'no "lost its group lease" line (the stop came from the new assignment)');
    const released = zombieWindow.find((l) => l.connector === X.name && l.msg === 'connector released by this worker');
    assert.ok(released, `the woken worker released ${X.name}:\n${show(lines).slice(0, 6000)}`);
    const refused = zombieWindow.filter((l) => JSON.stringify(l).includes('refused:') && JSON.stringify(l).includes(X.name));
    if (refused.length > 0) console.log(`the lease refused ${refused.length} action(s) of the woken worker for ${X.name}, e.g. ${JSON.stringify(refused[0])}`);

    // It rejoins the group: both workers RUNNING connectors again, one each.
    const rejoined = await c.waitFor(names, (s) => c.evenlyRunning(s), 'the woken worker back in the cluster, one connector each', 60_000).catch((err) => {
      throw new Error(`${(err as Error).message}\n${logTail(c)}`);
    });
    console.log(`after the rejoin (${Date.now() - wokeAt} ms after SIGCONT): ${c.show(rejoined)}`);

    await sleep(3000);
    await stopLoadsAndCheck(sources);
  });
});

describe('cluster: rolling restart of three workers', () => {
  let cluster: TestCluster | undefined;
  let sources: ClusterSource[] = [];
  clusterHooks('rolling', 3, 3, (c, s) => {
    cluster = c;
    sources = s;
  });

  it('each worker restarted in turn (SIGTERM, same port): every connector\'s longest pause < 15 s; nothing twice, nothing missing', { timeout: 560_000 }, async () => {
    const c = cluster!;
    const names = sources.map((s) => s.name);
    for (const s of sources) s.load.start();
    await sleep(3000);
    let restarting: WorkerHttp | null = null;
    const sampler = new StatusSampler(c, names, () => c.live().find((w) => w !== restarting));
    sampler.start();
    try {
      await sleep(2000);
      for (const [i, w] of c.workers.entries()) {
        restarting = w;
        const t0 = Date.now();
        const { code, ms } = await w.stop('SIGTERM');
        assert.equal(code, 0, `w${i + 1} exited cleanly on SIGTERM:\n${w.output.slice(-3000)}`);
        const gone = await c.waitFor(names, (s) => names.every((n) => isRunning(s.get(n)) && s.get(n)!.workerId !== w.workerId), `every connector RUNNING on the two others while w${i + 1} is down`, 60_000).catch((err) => {
          throw new Error(`${(err as Error).message}\n${logTail(c)}`);
        });
        console.log(`w${i + 1} stopped in ${ms} ms; all RUNNING on the others ${Date.now() - t0} ms after the SIGTERM: ${c.show(gone)}`);
        await w.start();
        const back = await c.waitFor(names, (s) => c.evenlyRunning(s), `all RUNNING, spread evenly, after w${i + 1} restarted`, 90_000).catch((err) => {
          throw new Error(`${(err as Error).message}\n${logTail(c)}`);
        });
        restarting = null;
        console.log(`w${i + 1} restarted on ${w.workerId}; ${Date.now() - t0} ms after its SIGTERM: ${c.show(back)}`);
        await sleep(2000);
      }
    } finally {
      await sampler.stop();
    }
    const pauses = sampler.pauses();
    for (const [n, p] of pauses) console.log(`rolling restart: ${n} longest pause ${p.longestMs} ms (${p.pauses} pauses, ${p.notRunningSamples} of ${p.samples} samples not RUNNING)`);
    for (const [n, p] of pauses) {
      assert.ok(p.samples > 50, `${n}: sampled throughout (${p.samples} samples)`);
      assert.ok(p.longestMs < 15_000, `${n}: longest pause ${p.longestMs} ms < 15 s`);
    }

    await sleep(2000);
    await stopLoadsAndCheck(sources);
  });
});
