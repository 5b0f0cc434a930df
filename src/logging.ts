import pino, { type Logger } from 'pino';

/**
 * JSON logs through pino. Secrets never reach a log line: config maps are logged only after
 * redactConfig, and these paths are censored as a second line of defence.
 */
export function createLogger(level = process.env.PGCDC_LOG_LEVEL ?? 'info', onChild?: (child: Logger) => void): Logger {
  return pino({
    level,
    ...(onChild ? { onChild } : {}),
    base: { service: 'pgcdc' },
    redact: { paths: ['password', '*.password', 'config["database.password"]', '*.config["database.password"]'], censor: '[hidden]' },
  });
}
