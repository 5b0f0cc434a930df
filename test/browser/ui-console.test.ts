import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import type pg from 'pg';
import type { Browser, Page } from 'playwright-core';
import { testServices, type TestServices } from '../harness/services.js';
import { dropDatabase, freshDatabase, withClient } from '../harness/database.js';
import { eventually, testConnectorConfig } from '../harness/connector.js';
import { WorkerHttp } from '../harness/worker-http.js';
import { ARTIFACTS, launchChromium } from './chromium.js';

const DB = 'pgcdc_it_ui_console';
const NAME = 'pgcdc_it_ui_console';
const TOKEN = 'ui-console-test-token-4f1c2b';
let services: TestServices;
let db: pg.ClientConfig;
let worker: WorkerHttp;
let browser: Browser;
let writing = true;
let writer: Promise<void> = Promise.resolve();

/** Inserts a few rows every 150 ms until told to stop: the connector always has work. */
async function keepWriting(): Promise<void> {
  let id = 100_000;
  while (writing) {
    await withClient(db, (c) => c.query('INSERT INTO orders SELECT g, md5(g::text), now() FROM generate_series($1::int, $2::int) g', [id, id + 19]));
    id += 20;
    await new Promise((r) => setTimeout(r, 150));
  }
}

const number = (text: string | null) => Number((text ?? '').replace(/[^0-9.]/g, ''));
/** Whether the newest lag_ms transition in the alert history (listed newest first) is `want`. */
const newest = (want: string) => (document.querySelector('#alerts tr[data-transition^="lag_ms:"]') as HTMLElement | null)?.dataset.transition === want;
const row = (page: Page) => page.locator(`tr[data-connector="${NAME}"]`);

before(async () => {
  services = await testServices();
  db = await freshDatabase(services, DB);
  await withClient(db, async (c) => {
    await c.query('CREATE TABLE orders (id int PRIMARY KEY, note text, at timestamptz)');
    await c.query('CREATE TABLE customers (id int PRIMARY KEY, name text)');
    await c.query("INSERT INTO orders SELECT g, md5(g::text), now() FROM generate_series(1, 3000) g");
    await c.query("INSERT INTO customers SELECT g, 'customer ' || g FROM generate_series(1, 500) g");
  });
  browser = await launchChromium();
  worker = new WorkerHttp(services, 'ui', { env: { PGCDC_METRICS_INTERVAL_MS: '250', PGCDC_HISTORY_INTERVAL_MS: '500' } });
  await worker.start();
});

after(async () => {
  writing = false;
  await writer.catch(() => {});
  await browser?.close();
  await worker?.stop();
  await dropDatabase(services, DB);
});

test('overview shows the connector RUNNING with a rising event count; pausing from its page fires the lag alert, resuming resolves it', async () => {
  const { name: _n, ...config } = testConnectorConfig(db, services, NAME, { 'lag.alert.ms': '1500', 'lag.alert.for.ms': '500', 'slot.retained.wal.alert.bytes': String(64 * 1024 * 1024) });
  assert.equal((await worker.request('POST', '/connectors', { name: NAME, config })).status, 201);
  // The writes start once the initial snapshot is done: a connector is RUNNING from the start of its
  // snapshot, before the slot exists, so rows written then would be read by the snapshot too.
  await eventually(async () => {
    const body = (await worker.request('GET', `/connectors/${NAME}/status`)).body;
    return body?.connector?.state === 'RUNNING' && body?.snapshot?.running === false;
  }, 'connector RUNNING with its initial snapshot done', 60_000);
  writer = keepWriting();

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  const answer = await page.goto(`${worker.url}/ui`);
  assert.equal(answer?.status(), 200);
  assert.match(answer?.headers()['content-security-policy'] ?? '', /script-src 'self'/);

  await row(page).locator('[data-col=state]').filter({ hasText: 'RUNNING' }).waitFor({ timeout: 15_000 });
  const events = row(page).locator('[data-col=events]');
  const first = number(await events.textContent());
  await page.waitForFunction(([sel, before]) => Number((document.querySelector(sel)?.textContent ?? '').replace(/[^0-9.]/g, '')) > before,
    [`tr[data-connector="${NAME}"] [data-col=events]`, first] as const, { timeout: 15_000 });
  assert.ok(number(await events.textContent()) > first, 'the event count rises while rows are written');
  await page.waitForFunction((sel) => /[1-9]/.test(document.querySelector(sel)?.textContent ?? ''), `tr[data-connector="${NAME}"] [data-col=eps]`, { timeout: 10_000 });
  assert.match(await row(page).locator('[data-col=eps]').textContent() ?? '', /ev\/s/);
  assert.match(await row(page).locator('[data-col=worker]').textContent() ?? '', new RegExp(`^${worker.workerId.replace(/\./g, '\\.')}$`));
  await page.screenshot({ path: resolve(ARTIFACTS, 'console-overview.png'), fullPage: true });

  // sorting by state keeps one row; the header says how it is sorted
  await page.getByRole('button', { name: 'State' }).click();
  assert.equal(await page.locator('th[aria-sort=ascending]').textContent(), 'State ▲');

  await row(page).getByRole('link', { name: NAME }).click();
  await page.locator('.connector-page h1', { hasText: NAME }).waitFor();
  await page.locator('.title-row [data-state=RUNNING]').waitFor();
  await page.locator('#tables td', { hasText: 'public.orders' }).first().waitFor({ timeout: 15_000 });
  assert.match(await page.locator('#tables [data-subject$="public.orders-value"]').textContent() ?? '', /-value v\d+ · id \d+/, 'value subjects show their registry version');
  assert.match(await page.locator('#snapshot').textContent() ?? '', /\b3,500\b/, 'the initial snapshot of 3000 + 500 rows is shown');
  await page.waitForFunction(() => document.querySelectorAll('#charts path.line').length >= 3, undefined, { timeout: 10_000 });

  // under the snapshot's backlog the lag alert may fire once; pausing must be what fires it here
  await page.waitForFunction(() => document.querySelectorAll('#alerts li.firing').length === 0, undefined, { timeout: 30_000 });
  await page.getByRole('button', { name: 'Pause' }).click();
  await page.locator('.title-row [data-state=PAUSED]').waitFor({ timeout: 20_000 });
  assert.ok(await page.getByRole('button', { name: 'Pause' }).isDisabled(), 'Pause is disabled while PAUSED');
  // rows keep arriving while paused: lag grows over 1.5 s and the alert fires
  await page.locator('#alerts li.firing[data-alert=lag_ms]').waitFor({ timeout: 30_000 });
  await page.waitForFunction(newest, 'lag_ms:firing', { timeout: 5_000 });
  await page.goto(`${worker.url}/ui#/`);
  await row(page).locator('[data-col=state]').filter({ hasText: 'PAUSED' }).waitFor({ timeout: 10_000 });
  await row(page).locator('[data-col=alerts]').filter({ hasText: 'Lag (time)' }).waitFor({ timeout: 10_000 });
  await page.screenshot({ path: resolve(ARTIFACTS, 'console-overview-paused.png'), fullPage: true });
  await row(page).getByRole('link', { name: NAME }).click();
  await page.locator('#alerts li.firing[data-alert=lag_ms]').waitFor({ timeout: 10_000 });
  await page.waitForTimeout(2_500); // a few more chart samples
  await page.screenshot({ path: resolve(ARTIFACTS, 'console-connector-paused.png'), fullPage: true });

  await page.getByRole('button', { name: 'Resume' }).click();
  await page.locator('.title-row [data-state=RUNNING]').waitFor({ timeout: 30_000 });
  await page.waitForFunction(newest, 'lag_ms:resolved', { timeout: 30_000 });
  assert.equal(await page.locator('#alerts li.firing').count(), 0, 'no alert fires after the resume caught up');
  await page.waitForTimeout(2_500);
  await page.screenshot({ path: resolve(ARTIFACTS, 'console-connector.png'), fullPage: true });

  const history = (await worker.request('GET', `/connectors/${NAME}/history`)).body;
  assert.equal(history.interval_ms, 500);
  assert.ok(history.points.length >= 10, `history has points (${history.points.length})`);
  assert.ok(history.points.some((p: any) => p.lag_ms > 1500), 'the history holds the lag while paused');
  assert.deepEqual(history.alerts.filter((a: any) => a.name === 'lag_ms').map((a: any) => a.state).slice(-2), ['firing', 'resolved']);
  assert.equal(history.thresholds.lag_ms, 1500);

  // phone width: nothing wider than the screen but the overview table, which scrolls in its box
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(300);
  await page.screenshot({ path: resolve(ARTIFACTS, 'console-connector-phone.png'), fullPage: true });
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'the connector page fits a phone width');
  await page.goto(`${worker.url}/ui#/`);
  await row(page).waitFor();
  await page.screenshot({ path: resolve(ARTIFACTS, 'console-overview-phone.png'), fullPage: true });
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'the overview fits a phone width');

  assert.deepEqual(problems, [], 'no script errors and no CSP violations');
  await context.close();
});

test('an unknown connector page says so, and assets outside the list are 404', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${worker.url}/ui#/connector/no_such_connector`);
  await page.locator('.note.error', { hasText: 'not on this worker' }).waitFor({ timeout: 10_000 });
  await context.close();
  assert.equal((await worker.request('GET', '/ui/assets/..%2Fpage.js')).status, 404);
  assert.equal((await worker.request('GET', '/ui/assets/main.js.map')).status, 404);
  assert.equal((await worker.request('GET', '/ui/assets/main.js')).status, 200);
});

test('with PGCDC_REST_TOKEN the page asks for the token, shows nothing without it, and keeps it in sessionStorage', async () => {
  const secretName = 'pgcdc_it_ui_hidden_name';
  const secured = new WorkerHttp(services, 'ui-auth', { env: { PGCDC_REST_TOKEN: TOKEN }, authHeader: `Bearer ${TOKEN}` });
  await secured.start();
  try {
    const { name: _n, ...config } = testConnectorConfig(db, services, secretName, { 'snapshot.mode': 'no_data' });
    assert.equal((await secured.request('POST', '/connectors', { name: secretName, config, initial_state: 'STOPPED' })).status, 201);
    // the shell and its scripts answer without credentials and name no connector; the data does not answer
    for (const path of ['/ui', '/ui/assets/main.js', '/ui/assets/console.css']) {
      const res = await fetch(`${secured.url}${path}`);
      assert.equal(res.status, 200, path);
      assert.ok(!(await res.text()).includes(secretName), `${path} does not name the connector`);
    }
    for (const path of ['/connectors', `/connectors/${secretName}/history`, `/connectors/${secretName}/tables`, '/']) {
      assert.equal((await fetch(`${secured.url}${path}`)).status, 401, `${path} needs credentials`);
    }

    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${secured.url}/ui`);
    await page.getByLabel('API token').waitFor({ timeout: 10_000 });
    assert.ok(!(await page.content()).includes(secretName), 'nothing about the connectors before signing in');
    await page.screenshot({ path: resolve(ARTIFACTS, 'console-sign-in.png') });

    await page.getByLabel('API token').fill('wrong-token');
    await page.getByRole('button', { name: 'Sign in' }).first().click();
    await page.locator('.login', { hasText: 'refused these credentials' }).waitFor({ timeout: 10_000 });
    assert.equal(await page.evaluate(() => sessionStorage.length), 0, 'refused credentials are forgotten');

    await page.getByLabel('API token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).first().click();
    await page.locator(`tr[data-connector="${secretName}"] [data-col=state]`, { hasText: 'STOPPED' }).waitFor({ timeout: 10_000 });
    assert.equal(await page.evaluate(() => sessionStorage.getItem('pgcdc.console.authorization')), `Bearer ${TOKEN}`);
    await page.reload();
    await page.locator(`tr[data-connector="${secretName}"]`).waitFor({ timeout: 10_000 });

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API token').waitFor({ timeout: 10_000 });
    assert.ok(!(await page.locator('main').textContent())?.includes(secretName), 'signed out: the connectors are gone from the page');
    await context.close();
    assert.equal((await secured.request('DELETE', `/connectors/${secretName}`)).status, 204);
  } finally {
    await secured.stop();
  }
});
