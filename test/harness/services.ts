import { execFileSync } from 'node:child_process';

/**
 * Where the tests find PostgreSQL, Kafka and the schema registry. By default the local stack that
 * `scripts/stack.sh start` brings up; every address can be overridden by an environment variable.
 * With PGCDC_TEST_CONTAINERS=1 and a Docker engine present, the services are started with
 * testcontainers instead (see containers.ts).
 */
export interface TestServices {
  pg: { host: string; port: number; user: string; password: string; database: string };
  kafkaBrokers: string[];
  registryUrl: string;
  stop(): Promise<void>;
}

let shared: Promise<TestServices> | undefined;

export function testServices(): Promise<TestServices> {
  shared ??= start();
  return shared;
}

async function start(): Promise<TestServices> {
  if (process.env.PGCDC_TEST_CONTAINERS === '1') {
    if (!dockerAvailable()) throw new Error('PGCDC_TEST_CONTAINERS=1 but no Docker engine answers `docker info`; unset it to use the local stack');
    const { startContainers } = await import('./containers.js');
    return startContainers();
  }
  const env = process.env;
  return {
    pg: {
      host: env.PGCDC_TEST_PG_HOST ?? '127.0.0.1',
      port: Number(env.PGCDC_TEST_PG_PORT ?? 5432),
      user: env.PGCDC_TEST_PG_USER ?? 'postgres',
      password: env.PGCDC_TEST_PG_PASSWORD ?? '',
      database: env.PGCDC_TEST_PG_DATABASE ?? 'postgres',
    },
    kafkaBrokers: (env.PGCDC_TEST_KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
    registryUrl: env.PGCDC_TEST_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7',
    stop: async () => {},
  };
}

function dockerAvailable(): boolean {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}
