import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { alive, atExit, portNear, privateDir, signalGroup, spawnDetached, tail, terminate, waitUntil } from './private-process.js';

const ROOT = resolve(new URL('../../..', import.meta.url).pathname);
/** The jar scripts/stack/registry.sh downloaded for the shared registry (same pinned version). */
export const APICURIO_JAR = join(process.env.STACK_DIR ?? join(ROOT, '.stack'), 'cache', 'apicurio-3.0.9', 'apicurio-registry-app-3.0.9-runner.jar');

/**
 * An Apicurio registry of one test's own (18081 when free). Unlike the shared one it keeps its
 * schemas in an H2 *file* database in its temp dir, so a stop and start keeps every schema id:
 * records already in Kafka stay decodable, as with a production registry (Confluent's keeps them
 * in Kafka, Apicurio's in a database). Global compatibility BACKWARD, like the shared stack.
 */
export class PrivateRegistry {
  readonly dir = privateDir('registry');
  port = 0;
  private pid: number | undefined;
  private readonly unregister = atExit(() => this.cleanupSync());

  get url(): string {
    return `http://127.0.0.1:${this.port}/apis/ccompat/v7`;
  }

  get log(): string {
    return join(this.dir, 'registry.log');
  }

  get running(): boolean {
    return alive(this.pid);
  }

  async start(): Promise<void> {
    if (this.running) return;
    if (!existsSync(APICURIO_JAR)) throw new Error(`Apicurio jar not found at ${APICURIO_JAR}: run "bash scripts/stack.sh start" once to download it`);
    if (this.port === 0) this.port = await portNear(18081);
    this.pid = spawnDetached(
      'java',
      [
        '-Xmx384m',
        '-Djava.awt.headless=true',
        '-Dquarkus.http.host=127.0.0.1',
        `-Dquarkus.http.port=${this.port}`,
        `-Dapicurio.datasource.url=jdbc:h2:file:${join(this.dir, 'registry')}`,
        '-Dapicurio.rest.deletion.group.enabled=true',
        '-Dapicurio.rest.deletion.artifact.enabled=true',
        '-Dapicurio.rest.deletion.artifact-version.enabled=true',
        '-jar',
        APICURIO_JAR,
      ],
      this.log,
      this.dir,
    );
    await waitUntil(() => this.answers(), `private registry at ${this.url} to answer`, 120_000, () => (this.running ? null : `exited during start-up:\n${tail(this.log)}`));
    const res = await fetch(`${this.url}/config`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ compatibility: 'BACKWARD' }) });
    if (!res.ok) throw new Error(`private registry: setting global compatibility BACKWARD answered ${res.status}`);
  }

  /** Graceful shutdown (SIGTERM: Quarkus closes the H2 database). */
  async stop(): Promise<void> {
    if (this.pid && this.running) await terminate(this.pid, 30_000);
    this.pid = undefined;
  }

  async kill(): Promise<void> {
    if (this.pid && this.running) await terminate(this.pid, 0);
    this.pid = undefined;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async cleanup(): Promise<void> {
    await this.kill();
    this.cleanupSync();
  }

  async answers(): Promise<boolean> {
    try {
      const res = await fetch(`${this.url}/subjects`, { signal: AbortSignal.timeout(3000) });
      await res.arrayBuffer();
      return res.status === 200;
    } catch {
      return false;
    }
  }

  private cleanupSync(): void {
    if (this.pid) signalGroup(this.pid, 'SIGKILL');
    this.pid = undefined;
    rmSync(this.dir, { recursive: true, force: true });
    this.unregister?.();
  }
}
