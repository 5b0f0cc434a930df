/**
 * Which config providers a worker offers, set by its operator (never through the REST API). Like
 * Kafka Connect's `config.providers=file,env` with `config.providers.file.param.allowed.paths` and
 * `config.providers.env.param.allowlist.pattern`, read from the environment as
 * PGCDC_CONFIG_PROVIDERS, PGCDC_CONFIG_PROVIDERS_FILE_PARAM_ALLOWED_PATHS and
 * PGCDC_CONFIG_PROVIDERS_ENV_PARAM_ALLOWLIST_PATTERN. Off by default; unlike Kafka, an enabled
 * provider needs its allowlist (Kafka's default "everything" lets any API caller read any file).
 */
import { isAbsolute, normalize } from 'node:path';

export interface ProviderPolicy {
  /** Allowed directories or files (absolute, normalised); null = the file provider is off. */
  fileAllowedPaths: string[] | null;
  /** Environment variable names that may be read (whole-name match); null = the env provider is off. */
  envAllowlist: RegExp | null;
}

export const PROVIDERS_OFF: ProviderPolicy = { fileAllowedPaths: null, envAllowlist: null };

export const PROVIDER_SETTINGS = {
  providers: 'PGCDC_CONFIG_PROVIDERS',
  fileAllowedPaths: 'PGCDC_CONFIG_PROVIDERS_FILE_PARAM_ALLOWED_PATHS',
  envAllowlist: 'PGCDC_CONFIG_PROVIDERS_ENV_PARAM_ALLOWLIST_PATTERN',
} as const;

/** Reads the policy from the environment; problems are appended (each names its variable). */
export function providerPolicyFromEnv(env: NodeJS.ProcessEnv, problems: string[]): ProviderPolicy {
  const names = (env[PROVIDER_SETTINGS.providers] ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  const policy: ProviderPolicy = { fileAllowedPaths: null, envAllowlist: null };
  for (const name of names) {
    if (name !== 'file' && name !== 'env') problems.push(`${PROVIDER_SETTINGS.providers}: unknown config provider "${name}" (pgcdc offers file, env)`);
  }
  if (names.includes('file')) {
    const paths = (env[PROVIDER_SETTINGS.fileAllowedPaths] ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
    if (paths.length === 0) problems.push(`${PROVIDER_SETTINGS.fileAllowedPaths} must list the directories or files the file provider may read (comma-separated absolute paths)`);
    const bad = paths.filter((p) => !isAbsolute(p));
    if (bad.length > 0) problems.push(`${PROVIDER_SETTINGS.fileAllowedPaths}: not absolute: ${bad.join(', ')}`);
    policy.fileAllowedPaths = paths.filter((p) => isAbsolute(p)).map((p) => normalize(p).replace(/(.)\/+$/, '$1'));
  } else if (env[PROVIDER_SETTINGS.fileAllowedPaths]) {
    problems.push(`${PROVIDER_SETTINGS.fileAllowedPaths} is set but ${PROVIDER_SETTINGS.providers} does not enable file`);
  }
  if (names.includes('env')) {
    const pattern = env[PROVIDER_SETTINGS.envAllowlist] ?? '';
    if (pattern.trim() === '') problems.push(`${PROVIDER_SETTINGS.envAllowlist} must be a regular expression matching the environment variable names the env provider may read`);
    else {
      try {
        policy.envAllowlist = new RegExp(`^(?:${pattern})$`);
      } catch (e) {
        problems.push(`${PROVIDER_SETTINGS.envAllowlist} is not a valid regular expression: ${(e as Error).message}`);
      }
    }
  } else if (env[PROVIDER_SETTINGS.envAllowlist]) {
    problems.push(`${PROVIDER_SETTINGS.envAllowlist} is set but ${PROVIDER_SETTINGS.providers} does not enable env`);
  }
  return policy;
}

/** The names of the enabled providers, for messages. */
export function enabledProviders(policy: ProviderPolicy): string[] {
  return [policy.fileAllowedPaths ? 'file' : null, policy.envAllowlist ? 'env' : null].filter((x): x is string => x !== null);
}

let active: ProviderPolicy = PROVIDERS_OFF;

/** Installed once at process start (worker or standalone) from the operator's settings. */
export function setProviderPolicy(policy: ProviderPolicy): void {
  active = policy;
}

export function activeProviderPolicy(): ProviderPolicy {
  return active;
}
