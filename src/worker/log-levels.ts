import type { Level, LevelWithSilent, Logger } from 'pino';

/**
 * Log levels changed at run time, as Kafka Connect's `/admin/loggers` does (KIP-495), for pgcdc's
 * loggers: `root` (the worker and everything under it) and one logger per connector,
 * `pgcdc.connector.<name>` (the log lines carrying that connector's name). Levels use Connect's
 * (log4j) names. Like Connect, setting a logger also sets its descendants: setting `root` sets every
 * connector logger. A level holds for loggers created later too (a restarted connector keeps it).
 * Levels are not persisted: a worker restart starts from PGCDC_LOG_LEVEL again, as Connect does.
 */
export const ROOT_LOGGER = 'root';
const CONNECTOR_PREFIX = 'pgcdc.connector.';

const FROM_CONNECT: Record<string, LevelWithSilent> = {
  OFF: 'silent', FATAL: 'fatal', ERROR: 'error', WARN: 'warn', INFO: 'info', DEBUG: 'debug', TRACE: 'trace', ALL: 'trace',
};
const TO_CONNECT: Record<LevelWithSilent, string> = {
  silent: 'OFF', fatal: 'FATAL', error: 'ERROR', warn: 'WARN', info: 'INFO', debug: 'DEBUG', trace: 'TRACE',
};

export class LogLevelError extends Error {
  constructor(message: string, readonly status: 400 | 404) {
    super(message);
  }
}

export interface LoggerLevel {
  level: string;
  /** ms since the epoch of the last change through this API; null when never changed */
  last_modified: number | null;
}

export function connectorLoggerName(connector: string): string {
  return `${CONNECTOR_PREFIX}${connector}`;
}

/** Parses a Connect level name (case-insensitive); throws a 400 naming the value. */
export function parseConnectLevel(level: unknown): LevelWithSilent {
  const parsed = typeof level === 'string' ? FROM_CONNECT[level.toUpperCase()] : undefined;
  if (!parsed) throw new LogLevelError(`Invalid log level '${String(level)}': use one of ${Object.keys(FROM_CONNECT).join(', ')}`, 400);
  return parsed;
}

export class LogLevels {
  private root: Logger | null = null;
  private rootModified: number | null = null;
  /** levels set for connector loggers (beyond root's), by connector name */
  private readonly set = new Map<string, { level: LevelWithSilent; at: number }>();
  /** live loggers carrying a connector binding; weak, so finished runs' loggers are collected */
  private readonly children = new Set<WeakRef<Logger>>();
  /** connectors seen (for listing and for root's descendants), whether or not a level was set */
  private readonly known = new Set<string>();
  /** which connectors the worker still has: a deleted connector's logger is gone from the list */
  private exists: (connector: string) => boolean = () => true;

  /** Give to pino as `onChild`: every child logger of the root passes here when created. */
  readonly onChild = (child: Logger): void => {
    const connector = (child.bindings() as { connector?: unknown }).connector;
    if (typeof connector !== 'string') return;
    this.known.add(connector);
    this.children.add(new WeakRef(child));
    const own = this.set.get(connector);
    if (own) child.level = own.level;
  };

  attach(root: Logger): void {
    this.root = root;
  }

  /** Loggers of connectors the worker no longer has are forgotten (listing, lookups, their levels). */
  trackConnectors(exists: (connector: string) => boolean): void {
    this.exists = exists;
  }

  /** Connectors still there; the others' loggers and levels are dropped (a new one by that name starts at root's level). */
  private live(): string[] {
    for (const c of this.known) {
      if (!this.exists(c)) {
        this.known.delete(c);
        this.set.delete(c);
      }
    }
    return [...this.known].sort();
  }

  /** Every logger with its level: root, and each connector logger of this worker. */
  list(): Record<string, LoggerLevel> {
    const out: Record<string, LoggerLevel> = { [ROOT_LOGGER]: this.get(ROOT_LOGGER) };
    for (const c of this.live()) out[connectorLoggerName(c)] = this.get(connectorLoggerName(c));
    return out;
  }

  get(name: string): LoggerLevel {
    if (name === ROOT_LOGGER) return { level: TO_CONNECT[this.rootLevel()], last_modified: this.rootModified };
    const connector = this.connectorOf(name);
    const own = this.set.get(connector);
    return own ? { level: TO_CONNECT[own.level], last_modified: own.at } : { level: TO_CONNECT[this.rootLevel()], last_modified: this.rootModified };
  }

  /** Sets the level of a logger and its descendants; returns the names of the loggers changed. */
  setLevel(name: string, levelName: unknown): string[] {
    const level = parseConnectLevel(levelName);
    const at = Date.now();
    if (name === ROOT_LOGGER) {
      if (this.root) this.root.level = level;
      this.rootModified = at;
      const live = this.live();
      for (const c of live) this.set.set(c, { level, at });
      this.apply(() => true, level);
      return [ROOT_LOGGER, ...live.map(connectorLoggerName)];
    }
    const connector = this.connectorOf(name);
    this.set.set(connector, { level, at });
    this.apply((c) => c === connector, level);
    return [name];
  }

  private apply(match: (connector: string) => boolean, level: Level | 'silent'): void {
    for (const ref of this.children) {
      const child = ref.deref();
      if (!child) {
        this.children.delete(ref);
        continue;
      }
      if (match(String((child.bindings() as { connector?: unknown }).connector))) child.level = level;
    }
  }

  private rootLevel(): LevelWithSilent {
    return (this.root?.level ?? 'info') as LevelWithSilent;
  }

  /** The connector a logger name stands for; unknown names are a 404 naming the loggers there are. */
  private connectorOf(name: string): string {
    const connector = name.startsWith(CONNECTOR_PREFIX) ? name.slice(CONNECTOR_PREFIX.length) : '';
    if (connector === '' || !this.live().includes(connector)) {
      throw new LogLevelError(`Logger ${name} not found: pgcdc's loggers are ${ROOT_LOGGER} and ${CONNECTOR_PREFIX}<connector> for each connector of this worker`, 404);
    }
    return connector;
  }
}
