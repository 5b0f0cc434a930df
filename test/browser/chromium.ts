/**
 * Debian's chromium under playwright-core (no browser download): installed by
 * scripts/install-browser.sh when missing, so a clean clone needs nothing by hand.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

const ROOT = resolve(new URL('../../..', import.meta.url).pathname);
/** Screenshots of the browser tests (git-ignored). */
export const ARTIFACTS = resolve(ROOT, 'test-artifacts');

export async function launchChromium(): Promise<Browser> {
  execFileSync('bash', [resolve(ROOT, 'scripts/install-browser.sh')], { stdio: 'inherit' });
  mkdirSync(ARTIFACTS, { recursive: true });
  // --no-sandbox: tests run as root in CI, where chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}
