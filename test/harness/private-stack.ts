import { PrivateKafka } from './private-kafka.js';
import { PrivatePostgres } from './private-postgres.js';
import { reapOrphans } from './private-process.js';
import { PrivateRegistry } from './private-registry.js';
import type { TestServices } from './services.js';

export { PrivateKafka, PrivatePostgres, PrivateRegistry };

/**
 * The services a fault test may stop, crash and restart, started for that test alone: the shared
 * stack (5432/9092/8081) is never touched, because other engineers' tests run on it. Only what the
 * test asks for is started; the rest of `services` is the shared stack. Every process is ended and
 * every temp dir removed by cleanup(), at process exit, on SIGINT/SIGTERM, and — for a test process
 * that was itself killed -9 — by the next PrivateStack.start().
 *
 *   const stack = await PrivateStack.start(shared, { kafka: true });
 *   after(() => stack.cleanup());
 *   await stack.kafka!.stop(); ... await stack.kafka!.start();
 */
export class PrivateStack {
  private constructor(
    readonly services: TestServices,
    readonly kafka: PrivateKafka | null,
    readonly registry: PrivateRegistry | null,
    readonly postgres: PrivatePostgres | null,
  ) {}

  static async start(shared: TestServices, want: { kafka?: boolean; registry?: boolean; postgres?: boolean }): Promise<PrivateStack> {
    reapOrphans();
    const kafka = want.kafka ? new PrivateKafka() : null;
    const registry = want.registry ? new PrivateRegistry() : null;
    const postgres = want.postgres ? new PrivatePostgres() : null;
    const stack = new PrivateStack(shared, kafka, registry, postgres);
    try {
      // JVMs start in parallel: their start-up is mostly waiting on class loading and I/O
      await Promise.all([kafka?.start(), registry?.start(), postgres?.start()]);
    } catch (err) {
      await stack.cleanup();
      throw err;
    }
    const services: TestServices = {
      pg: postgres ? postgres.connection : shared.pg,
      kafkaBrokers: kafka ? kafka.brokers : shared.kafkaBrokers,
      registryUrl: registry ? registry.url : shared.registryUrl,
      stop: async () => stack.cleanup(),
    };
    return new PrivateStack(services, kafka, registry, postgres);
  }

  async cleanup(): Promise<void> {
    await Promise.all([this.kafka?.cleanup(), this.registry?.cleanup(), this.postgres?.cleanup()]);
  }
}
