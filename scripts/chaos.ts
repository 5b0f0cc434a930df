// Long randomised kill -9 run on the local stack (issue 7): many SIGKILLs of a real worker process
// with writes going on, then the same checks as test/integration/fault-kill.test.ts. Bounded by
// --kills and --max-seconds (then --snapshot-kills kills inside a snapshot with rows moved between them,
// and --walsender-kills walsender terminations); the seed is printed first so a failure can be replayed with --seed.
// Then the same under exactly.once.support=required (issue 17): --eos-kills kills within --eos-max-seconds
// and --eos-snapshot-kills kills inside a snapshot, each failing on any change a read_committed
// consumer reads twice.
import { testServices } from '../test/harness/services.js';
import { runChaos } from '../test/harness/chaos-run.js';
import { runSnapshotChaos } from '../test/harness/snapshot-chaos.js';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const raw = i >= 0 ? process.argv[i + 1] : process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got "${raw}"`);
  return n;
}

const seed = option('seed', 7);
const kills = option('kills', 10);
const maxSeconds = option('max-seconds', 240);
const bigTxRows = option('big-tx-rows', 50_000);
const snapshotKills = option('snapshot-kills', 6);
const walsenderKills = option('walsender-kills', 10);
const eosKills = option('eos-kills', 20);
const eosMaxSeconds = option('eos-max-seconds', 240);
const eosSnapshotKills = option('eos-snapshot-kills', 3);
console.log(`chaos: seed ${seed}, ${kills} kills, at most ${maxSeconds} s of killing, large transactions of ${bigTxRows} rows (replay: --seed ${seed})`);
const services = await testServices();
try {
  if (kills > 0) await atLeastOnce();
  if (snapshotKills + walsenderKills > 0) await snapshots();
  if (eosKills > 0) await exactlyOnce();
  if (eosSnapshotKills > 0) await exactlyOnceSnapshots();
} catch (err) {
  console.error(`chaos: FAILED with seed ${seed}: ${(err as Error).stack ?? err}`);
  process.exitCode = 1;
} finally {
  await services.stop();
}

async function atLeastOnce(): Promise<void> {
  const result = await runChaos(services, { name: 'pgcdc_chaos', seed, kills, maxSeconds, bigTxRows, log: (l) => console.log(`chaos: ${l}`) });
  console.log(`chaos: passed ${JSON.stringify(result)}`);
  if (result.kills < Math.min(kills, 10)) {
    console.error(`chaos: only ${result.kills} kills fit in ${maxSeconds} s`);
    process.exitCode = 1;
  }
}

/** Snapshot kills with rows moved between kills, then walsender terminations (issue 12). */
async function snapshots(): Promise<void> {
  const snap = await runSnapshotChaos(services, { name: 'pgcdc_chaos_snap', seed, kills: snapshotKills, walsenderKills, rows: 300_000, log: (l) => console.log(`chaos: ${l}`) });
  console.log(`chaos: snapshot chaos passed ${JSON.stringify(snap)}`);
  if (snap.snapshotKills < Math.min(snapshotKills, 2)) {
    console.error(`chaos: only ${snap.snapshotKills} kills landed inside the snapshot`);
    process.exitCode = 1;
  }
}

async function exactlyOnce(): Promise<void> {
  const r = await runChaos(services, { name: 'pgcdc_chaos_eos', seed, kills: eosKills, maxSeconds: eosMaxSeconds, bigTxRows: 20_000, exactlyOnce: true, log: (l) => console.log(`chaos: eos ${l}`) });
  const { duplicateDetails, tombstoneProblems, ...summary } = r;
  const problems = [
    r.duplicates > 0 && `${r.duplicates} changes read twice by a read_committed consumer: ${JSON.stringify(duplicateDetails)}`,
    r.resentEvents > 0 && `${r.resentEvents} events resent after a kill`,
    tombstoneProblems.length > 0 && `tombstones out of place: ${tombstoneProblems.join('; ')}`,
    r.kills < Math.min(eosKills, 20) && `only ${r.kills} kills fit in ${eosMaxSeconds} s`,
  ];
  report('exactly-once', { ...summary, tombstoneProblems: tombstoneProblems.length }, problems);
}

async function exactlyOnceSnapshots(): Promise<void> {
  const snap = await runSnapshotChaos(services, { name: 'pgcdc_chaos_eos_snap', seed, kills: eosSnapshotKills, walsenderKills: 3, rows: 150_000, exactlyOnce: true, log: (l) => console.log(`chaos: eos ${l}`) });
  const { details, tombstoneProblems, ...eos } = snap.exactlyOnce!;
  const problems = [
    eos.duplicates > 0 && `${eos.duplicates} changes read twice by a read_committed consumer: ${JSON.stringify(details)}`,
    tombstoneProblems.length > 0 && `tombstones out of place: ${tombstoneProblems.join('; ')}`,
    snap.snapshotKills < 1 && 'no kill landed inside the snapshot',
  ];
  report('exactly-once snapshot', { ...snap, exactlyOnce: { ...eos, tombstoneProblems: tombstoneProblems.length } }, problems);
}

/** `chaos: <what> passed {...}`, or each problem and exit code 1. */
function report(what: string, summary: object, problems: (string | false)[]): void {
  const found = problems.filter((p): p is string => p !== false);
  if (found.length === 0) return void console.log(`chaos: ${what} passed ${JSON.stringify(summary)}`);
  console.error(`chaos: ${what} FAILED with seed ${seed} ${JSON.stringify(summary)}`);
  for (const p of found) console.error(`chaos: ${what}: ${p}`);
  process.exitCode = 1;
}
