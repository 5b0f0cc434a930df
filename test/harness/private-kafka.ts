import { kraftClusterId } from './kraft-cluster-id.js';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { Admin } from '@platformatic/kafka';
import { alive, atExit, portNear, privateDir, signalGroup, spawnDetached, tail, terminate, waitUntil } from './private-process.js';

const ROOT = resolve(new URL('../../..', import.meta.url).pathname);
/** The jars scripts/stack/kafka.sh downloaded for the shared broker (same pinned version). */
export const KAFKA_LIB = join(process.env.STACK_DIR ?? join(ROOT, '.stack'), 'cache', 'kafka-4.3.1', 'lib');

/**
 * A single-node KRaft broker of one test's own, in a temp dir, on ports other than the shared
 * stack's (19092/19093 when free). Storage survives stop()/kill()/start(), like a real broker's
 * disk; the dir is removed by cleanup().
 */
export class PrivateKafka {
  readonly dir = privateDir('kafka');
  port = 0;
  controllerPort = 0;
  private pid: number | undefined;
  private readonly unregister = atExit(() => this.cleanupSync());

  get brokers(): string[] {
    return [`127.0.0.1:${this.port}`];
  }

  get log(): string {
    return join(this.dir, 'kafka.log');
  }

  get running(): boolean {
    return alive(this.pid);
  }

  async start(): Promise<void> {
    if (this.running) return;
    if (!existsSync(KAFKA_LIB)) throw new Error(`Kafka jars not found in ${KAFKA_LIB}: run "bash scripts/stack.sh start" once to download them`);
    if (this.port === 0) {
      this.port = await portNear(19092);
      this.controllerPort = await portNear(19093);
      this.configure();
    }
    this.pid = spawnDetached('java', ['-Xms128m', '-Xmx512m', '-XX:+UseG1GC', '-Djava.awt.headless=true', `-Dlog4j2.configurationFile=${join(this.dir, 'log4j2.xml')}`, '-cp', `${KAFKA_LIB}/*`, 'kafka.Kafka', join(this.dir, 'server.properties')], this.log, this.dir);
    await waitUntil(() => this.answers(), `private Kafka on ${this.brokers[0]} to answer`, 90_000, () => (this.running ? null : `exited during start-up:\n${tail(this.log)}`));
  }

  /** Graceful shutdown (SIGTERM: controlled shutdown, logs flushed). */
  async stop(): Promise<void> {
    if (this.pid && this.running) await terminate(this.pid, 60_000);
    this.pid = undefined;
  }

  /** SIGKILL: the broker dies without flushing or closing anything. */
  async kill(): Promise<void> {
    if (this.pid && this.running) await terminate(this.pid, 0);
    this.pid = undefined;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Stops the broker and removes its dir. */
  async cleanup(): Promise<void> {
    await this.kill();
    this.cleanupSync();
  }

  /** A metadata round trip with a controller elected: the broker can take produce requests. */
  answers(): Promise<boolean> {
    return brokerAnswers(this.brokers, 'pgcdc-private-probe');
  }

  private cleanupSync(): void {
    if (this.pid) signalGroup(this.pid, 'SIGKILL');
    this.pid = undefined;
    rmSync(this.dir, { recursive: true, force: true });
    this.unregister?.();
  }

  private configure(): void {
    const data = join(this.dir, 'data');
    mkdirSync(data, { recursive: true });
    const conf = join(this.dir, 'server.properties');
    writeFileSync(
      conf,
      [
        'process.roles=broker,controller',
        'node.id=1',
        `controller.quorum.voters=1@127.0.0.1:${this.controllerPort}`,
        `listeners=PLAINTEXT://127.0.0.1:${this.port},CONTROLLER://127.0.0.1:${this.controllerPort}`,
        `advertised.listeners=PLAINTEXT://127.0.0.1:${this.port}`,
        'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
        'controller.listener.names=CONTROLLER',
        'inter.broker.listener.name=PLAINTEXT',
        `log.dirs=${data}`,
        'num.partitions=1',
        'offsets.topic.replication.factor=1',
        'transaction.state.log.replication.factor=1',
        'transaction.state.log.min.isr=1',
        'share.coordinator.state.topic.replication.factor=1',
        'share.coordinator.state.topic.min.isr=1',
        'min.insync.replicas=1',
        'group.initial.rebalance.delay.ms=0',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(this.dir, 'log4j2.xml'),
      `<Configuration status="warn"><Appenders><File name="file" fileName="${join(this.dir, 'server.log')}"><PatternLayout pattern="[%d] %p %m (%c)%n"/></File></Appenders>` +
        `<Loggers><Logger name="kafka.request.logger" level="warn"/><Root level="info"><AppenderRef ref="file"/></Root></Loggers></Configuration>\n`,
    );
    // A cluster id is 16 random bytes in URL-safe base64 (what StorageTool random-uuid prints).
    const clusterId = kraftClusterId();
    execFileSync('java', ['-cp', `${KAFKA_LIB}/*`, `-Dlog4j2.configurationFile=${join(this.dir, 'log4j2.xml')}`, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', conf], { stdio: 'ignore', timeout: 60_000 });
  }
}

/** A metadata round trip (plaintext) with a controller elected: the broker can take produce requests. */
export async function brokerAnswers(brokers: string[], clientId: string): Promise<boolean> {
  const admin = new Admin({ clientId, bootstrapBrokers: brokers, connectTimeout: 1000, timeout: 3000, retries: 0 });
  try {
    const cluster = await admin.metadata({ topics: [] });
    return cluster.brokers.size > 0 && cluster.controllerId >= 0;
  } catch {
    return false;
  } finally {
    await admin.close().catch(() => {});
  }
}
