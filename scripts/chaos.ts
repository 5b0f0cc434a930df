// Long randomised kill -9 run on the local stack (issue 7): many SIGKILLs of a real worker process
// with writes going on, then the same checks as test/integration/fault-kill.test.ts. Bounded by
// --kills and --max-seconds; the seed is printed first so a failure can be replayed with --seed.
import { testServices } from '../test/harness/services.js';
import { runChaos } from '../test/harness/chaos-run.js';

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
console.log(`chaos: seed ${seed}, ${kills} kills, at most ${maxSeconds} s of killing, large transactions of ${bigTxRows} rows (replay: --seed ${seed})`);
const services = await testServices();
try {
  const result = await runChaos(services, { name: 'pgcdc_chaos', seed, kills, maxSeconds, bigTxRows, log: (l) => console.log(`chaos: ${l}`) });
  console.log(`chaos: passed ${JSON.stringify(result)}`);
  if (result.kills < Math.min(kills, 10)) {
    console.error(`chaos: only ${result.kills} kills fit in ${maxSeconds} s`);
    process.exitCode = 1;
  }
} catch (err) {
  console.error(`chaos: FAILED with seed ${seed}: ${(err as Error).stack ?? err}`);
  process.exitCode = 1;
} finally {
  await services.stop();
}
