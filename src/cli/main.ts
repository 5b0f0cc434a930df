/** The pgcdc command line (loaded by src/cli.ts once early signals are held). */
import { CLIENT_COMMANDS } from './commands.js';
import { RestClient, RestError } from './rest-client.js';
import { providerPolicyFromEnv, setProviderPolicy } from '../config/index.js';
import { createLogger } from '../logging.js';
import { runWorker } from '../worker/run-worker.js';
import { LogLevels } from '../worker/log-levels.js';
import { installProcessGuard } from '../worker/process-guard.js';
import { SettingsError, WORKER_ENV_HELP, workerProcessSettings } from '../worker/settings.js';
import { runStandalone, warnUnusedProperties, workerSettingsFromEnv } from '../worker/standalone.js';
import { PGCDC_VERSION } from '../version.js';
import { takeEarlySignals } from '../worker/early-signals.js';

const DEFAULT_URL = 'http://127.0.0.1:8083';

const clientLines = Object.values(CLIENT_COMMANDS)
  .map((c) => `  pgcdc ${c.usage.padEnd(26)}${c.summary}`)
  .join('\n');

const HELP = `pgcdc ${PGCDC_VERSION} — Debezium-compatible change data capture for PostgreSQL

Usage:
  pgcdc [worker] [--load <connector.json | dir>]...
                                  run a worker: hosts connectors, serves Kafka Connect's REST API
                                  (default 127.0.0.1:8083), until SIGINT/SIGTERM
  pgcdc run <connector.json>...   run connectors in this process without REST (standalone mode)
${clientLines}
  pgcdc --version
  pgcdc <command> --help

Client commands talk to a worker: --url <url> (default ${DEFAULT_URL}); credentials from
PGCDC_REST_TOKEN (bearer) or PGCDC_REST_BASIC_AUTH (user:password).
A connector file holds a POST /connectors body: {"name": "...", "config": {...}} (see connectors/).

${WORKER_ENV_HELP}`;

const WORKER_HELP = `Usage: pgcdc worker [--load <connector.json | directory>]...
Runs a worker hosting connectors behind Kafka Connect's REST API. Connector configs are kept in the
config topic (or PGCDC_CONFIG_FILE) and resume at their stored offsets after a restart. --load files
(or every *.json of a directory, e.g. --load connectors/) are created, or updated when they differ
from the stored config. SIGINT/SIGTERM drain every connector,
store offsets and exit 0 (1 after PGCDC_SHUTDOWN_TIMEOUT_MS).

${WORKER_ENV_HELP}`;

/** Removes `--url X` / `--url=X` from the arguments. */
function takeUrl(args: string[]): { url: string; rest: string[] } {
  const rest: string[] = [];
  let url = process.env.PGCDC_URL ?? DEFAULT_URL;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--url') {
      if (i + 1 >= args.length) throw new UsageError('--url needs a value');
      url = args[++i]!;
    } else if (a.startsWith('--url=')) url = a.slice('--url='.length);
    else rest.push(a);
  }
  return { url, rest };
}

class UsageError extends Error {}

async function worker(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(WORKER_HELP);
    return 0;
  }
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--load' && i + 1 < args.length) files.push(args[++i]!);
    else if (args[i]!.startsWith('--load=')) files.push(args[i]!.slice('--load='.length));
    else throw new UsageError(`pgcdc worker: unexpected argument "${args[i]}"; see pgcdc worker --help`);
  }
  const settings = workerProcessSettings();
  setProviderPolicy(settings.providers);
  // Every logger of the worker passes LogLevels when created, so /admin/loggers can change it.
  const levels = new LogLevels();
  const log = createLogger(undefined, levels.onChild);
  levels.attach(log);
  installProcessGuard(log);
  warnUnusedProperties(settings, log);
  await runWorker(settings, files, log, levels);
  return -1; // keeps running until a signal
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    console.log(HELP);
    return 0;
  }
  if (command === '--version') {
    console.log(PGCDC_VERSION);
    return 0;
  }
  if (command === undefined || command === 'worker') return worker(rest);
  if (command === '--load' || command.startsWith('--load=')) return worker(argv);
  if (command === 'run') {
    if (rest.length === 0 || rest.includes('--help')) {
      console.log('Usage: pgcdc run <connector.json>...\nRuns the connectors until SIGINT/SIGTERM, then drains, stores offsets and exits 0.');
      return rest.length === 0 ? 2 : 0;
    }
    const problems: string[] = [];
    setProviderPolicy(providerPolicyFromEnv(process.env, problems));
    const settings = workerSettingsFromEnv(process.env, problems);
    if (problems.length > 0) throw new SettingsError(`invalid settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    const log = createLogger();
    installProcessGuard(log);
    warnUnusedProperties(settings, log);
    await runStandalone(rest, settings, log);
    return -1; // keeps running
  }
  // Not a worker: Ctrl-C / SIGTERM act as usual again (one that came while loading ends it now).
  if (takeEarlySignals().length > 0) return 130;
  const client = CLIENT_COMMANDS[command];
  if (!client) throw new UsageError(`pgcdc: unknown command "${command}"; see pgcdc --help`);
  const { url, rest: args } = takeUrl(rest);
  const usage = `Usage: pgcdc ${client.usage} [--url <url>]\n${client.summary[0]!.toUpperCase()}${client.summary.slice(1)}.\nThe worker is at --url (default ${DEFAULT_URL}); credentials from PGCDC_REST_TOKEN or PGCDC_REST_BASIC_AUTH.`;
  if (args.includes('--help') || args.includes('-h')) {
    console.log(usage);
    return 0;
  }
  if (args.length !== client.args) throw new UsageError(usage);
  await client.run(new RestClient({ url }), args);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err) => {
    if (err instanceof UsageError || err instanceof SettingsError) {
      console.error(err instanceof SettingsError ? `pgcdc: ${err.message}` : err.message);
      process.exit(2);
    }
    const status = err instanceof RestError && err.status > 0 ? ` (HTTP ${err.status})` : '';
    console.error(`pgcdc: ${(err as Error).message}${status}`);
    process.exit(1);
  },
);
