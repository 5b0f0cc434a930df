// Long randomised kill -9 run on the local stack (issue 7): many SIGKILLs of a real worker process
// with writes going on, then the same checks as test/integration/fault-kill.test.ts. Bounded by
// --kills and --max-seconds (then --snapshot-kills kills inside a snapshot with rows moved between them,
// and --walsender-kills walsender terminations); the seed is printed first so a failure can be replayed with --seed.
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
console.log(`chaos: seed ${seed}, ${kills} kills, at most ${maxSeconds} s of killing, large transactions of ${bigTxRows} rows (replay: --seed ${seed})`);
const services = await testServices();
try {
  const result = await runChaos(services, { name: 'pgcdc_chaos', seed, kills, maxSeconds, bigTxRows, log: (l) => console.log(`chaos: ${l}`) });
  console.log(`chaos: passed ${JSON.stringify(result)}`);
  if (result.kills < Math.min(kills, 10)) {
    console.error(`chaos: only ${result.kills} kills fit in ${maxSeconds} s`);
    process.exitCode = 1;
  }
  if (snapshotKills + walsenderKills > 0) {
    // snapshot kills with rows moved between kills, then walsender terminations (issue 12)
    const snap = await runSnapshotChaos(services, { name: 'pgcdc_chaos_snap', seed, kills: snapshotKills, walsenderKills, rows: 300_000, log: (l) => console.log(`chaos: ${l}`) });
    console.log(`chaos: snapshot chaos passed ${JSON.stringify(snap)}`);
    if (snap.snapshotKills < Math.min(snapshotKills, 2)) {
      console.error(`chaos: only ${snap.snapshotKills} kills landed inside the snapshot`);
      process.exitCode = 1;
    }
  }
} catch (err) {
  console.error(`chaos: FAILED with seed ${seed}: ${(err as Error).stack ?? err}`);
  process.exitCode = 1;
} finally {
  await services.stop();
}
