/**
 * Registers a version the registry's compatibility rule rejects, once, for an operator's approval
 * (Confluent API): remember the subject's own compatibility config, PUT /config/{subject} NONE,
 * register, then put the previous config back (or DELETE /config/{subject} when it had none).
 *
 * Apicurio's ccompat API (3.0.x) treats a subject-level NONE as "no subject rule", so its global
 * rule still rejects the version; only then, and only for an `/apis/ccompat/vN` URL, the one-time
 * override is Apicurio's own artifact rule COMPATIBILITY=NONE (core API v3), removed again by the
 * restore.
 */
import { PgcdcError } from '../errors/pgcdc-error.js';
import type { SchemaRegistrar } from '../registry/schema-registrar.js';

const APICURIO_CCOMPAT = /\/apis\/ccompat\/v\d+$/;

export async function registerWithOverride(registrar: SchemaRegistrar, subject: string, schema: unknown): Promise<number> {
  const config = `/config/${encodeURIComponent(subject)}`;
  const got = await registrar.request('GET', config, undefined, `reading the compatibility config of subject "${subject}"`);
  let previous: string | null = null;
  if (got.res.ok) {
    const level = (JSON.parse(got.body) as { compatibilityLevel?: unknown; compatibility?: unknown });
    previous = String(level.compatibilityLevel ?? level.compatibility ?? '') || null;
  } else if (got.res.status !== 404) throw registrar.unexpected(got.res, got.body, subject);
  const set = await registrar.request('PUT', config, { compatibility: 'NONE' }, `setting compatibility NONE on subject "${subject}"`);
  if (!set.res.ok) throw registrar.unexpected(set.res, set.body, subject);
  let apicurioRule = false;
  try {
    try {
      return await registrar.register(subject, schema);
    } catch (err) {
      if (!(err instanceof PgcdcError && err.kind === 'schema-incompatible') || !APICURIO_CCOMPAT.test(registrar.shownUrl)) throw err;
      const native = (base: string) => base.replace(APICURIO_CCOMPAT, '/apis/registry/v3');
      const rule = await registrar.request('POST', `/groups/default/artifacts/${encodeURIComponent(subject)}/rules`, { ruleType: 'COMPATIBILITY', config: 'NONE' }, `setting Apicurio's compatibility rule NONE on "${subject}"`, native);
      if (!rule.res.ok && rule.res.status !== 409) throw registrar.unexpected(rule.res, rule.body, subject);
      apicurioRule = true;
      return await registrar.register(subject, schema);
    }
  } finally {
    const restore = previous && previous !== 'NONE'
      ? await registrar.request('PUT', config, { compatibility: previous }, `restoring compatibility ${previous} on subject "${subject}"`)
      : await registrar.request('DELETE', config, undefined, `removing the compatibility override of subject "${subject}"`);
    // DELETE of a config Apicurio already dropped answers 404: nothing left to restore.
    if (!restore.res.ok && restore.res.status !== 404) throw registrar.unexpected(restore.res, restore.body, subject);
    if (apicurioRule && (previous === null || previous === 'NONE')) {
      const native = (base: string) => base.replace(APICURIO_CCOMPAT, '/apis/registry/v3');
      const del = await registrar.request('DELETE', `/groups/default/artifacts/${encodeURIComponent(subject)}/rules/COMPATIBILITY`, undefined, `removing Apicurio's compatibility rule of "${subject}"`, native);
      if (!del.res.ok && del.res.status !== 404) throw registrar.unexpected(del.res, del.body, subject);
    }
  }
}
