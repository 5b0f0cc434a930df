// The console's snapshot bars per table and its pending-schema-change section, against the real
// stack and a worker process: during an initial snapshot of three tables the connector page shows
// one bar per table; a breaking change pauses the connector, the page shows it (table, change,
// registry verdicts), and Approve (after its confirmation) resumes it with the new row delivered.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import type pg from 'pg';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { testServices, type TestServices } from '../harness/services.js';
import { dropDatabase, freshDatabase, withClient } from '../harness/database.js';
import { eventually, testConnectorConfig, topicPrefixFor } from '../harness/connector.js';
import { readTopics } from '../harness/topics.js';
import { WorkerHttp } from '../harness/worker-http.js';
import { ARTIFACTS, launchChromium } from './chromium.js';

const NAME = 'pgcdc_it_ui_schema_changes';
const TABLES = ['t1', 't2', 't3'];
const ROWS = 20_000;
let services: TestServices;
let db: pg.ClientConfig;
let worker: WorkerHttp;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const problems: string[] = [];

const status = async () => (await worker.request('GET', `/connectors/${NAME}/status`)).body;

before(async () => {
  services = await testServices();
  db = await freshDatabase(services, NAME);
  await withClient(db, async (c) => {
    for (const t of TABLES) {
      await c.query(`CREATE TABLE ${t} (id int PRIMARY KEY, qty int NOT NULL, note text)`);
      await c.query(`INSERT INTO ${t} SELECT g, g, md5(g::text) FROM generate_series(1, ${ROWS}) g`);
      await c.query(`ANALYZE ${t}`);
    }
  });
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  worker = new WorkerHttp(services, 'ui-sc', { env: { PGCDC_METRICS_INTERVAL_MS: '250', PGCDC_HISTORY_INTERVAL_MS: '500' } });
  await worker.start();
});

after(async () => {
  await context?.close();
  await browser?.close();
  await worker?.stop();
  await dropDatabase(services, NAME);
});

test('during the initial snapshot the connector page shows one progress bar per table', async () => {
  // small chunks and fetches: the snapshot takes long enough to be watched while it runs
  const { name: _n, ...config } = testConnectorConfig(db, services, NAME, { 'snapshot.chunk.rows': '2000', 'snapshot.fetch.size': '25' });
  assert.equal((await worker.request('POST', '/connectors', { name: NAME, config })).status, 201);
  await page.goto(`${worker.url}/ui#/connector/${NAME}`);
  await page.locator('[data-snapshot=total]').waitFor({ timeout: 30_000 });
  assert.equal(await page.locator('[data-snapshot=total] .progress-head span').first().textContent(), 'Initial snapshot', 'shown while running');
  await page.waitForFunction(() => document.querySelectorAll('[data-snapshot-table]').length === 3, undefined, { timeout: 10_000 });
  const running = await status();
  assert.equal(running.snapshot.running, true, 'the bars were shown while the snapshot ran');
  assert.deepEqual(running.snapshot.tables.map((t: any) => t.table).sort(), TABLES.map((t) => `public.${t}`));
  for (const t of running.snapshot.tables) assert.ok(t.chunks_total >= 5, `${t.table} is read in several chunks (${t.chunks_total})`);
  assert.deepEqual(await page.locator('[data-snapshot-table]').evaluateAll((els) => els.map((e) => e.getAttribute('data-snapshot-table')).sort()), TABLES.map((t) => `public.${t}`));
  assert.match(await page.locator('[data-snapshot=total]').textContent() ?? '', /rows\/s · ETA/, 'the overall bar has the rate and time left');
  await page.screenshot({ path: resolve(ARTIFACTS, 'console-snapshot-tables.png'), fullPage: true });

  await eventually(async () => (await status()).snapshot?.running === false, 'snapshot done', 120_000);
  await page.locator('[data-snapshot=total]', { hasText: 'Initial snapshot (done)' }).waitFor({ timeout: 10_000 });
  for (const t of TABLES) {
    const bar = page.locator(`[data-snapshot-table="public.${t}"]`);
    assert.equal(await bar.locator('[role=progressbar]').getAttribute('aria-valuenow'), '100', `${t} at 100%`);
    assert.match(await bar.textContent() ?? '', /^public\.t\d100%20,000 of ~[\d,]+ rows · (\d+)\/\1 chunks · done$/);
  }
  await page.locator('#schema-changes', { hasText: 'No schema change waiting' }).waitFor();
});

test('a breaking change shows on the page; Approve (confirmed) resumes the connector and the new row arrives', async () => {
  await eventually(async () => (await status()).connector?.state === 'RUNNING', 'RUNNING', 30_000);
  await withClient(db, async (c) => {
    await c.query('ALTER TABLE t1 ALTER COLUMN qty TYPE text');
    await c.query(`INSERT INTO t1 VALUES (${ROWS + 1}, 'q-new', 'after the change')`);
  });
  await page.locator('.title-row [data-state=PAUSED]').waitFor({ timeout: 30_000 });
  const pending = page.locator('#schema-changes .sc-pending');
  await pending.waitFor({ timeout: 15_000 });
  const id = (await status()).schema_change_pending.id;
  assert.equal(await pending.getAttribute('data-change'), id);
  const text = await pending.textContent() ?? '';
  assert.match(text, /Breaking change of public\.t1/);
  assert.match(text, /column "qty" changed type from int to string/);
  const topic = `${topicPrefixFor(NAME)}.public.t1`;
  assert.match(await pending.locator(`[data-subject="${topic}-value"]`).textContent() ?? '', /incompatible/);
  assert.match(await pending.locator(`[data-subject="${topic}-key"]`).textContent() ?? '', /✔ compatible/);
  assert.match(await page.locator('.trace summary').textContent() ?? '', /^Paused at a schema change: /);
  await page.screenshot({ path: resolve(ARTIFACTS, 'console-schema-change.png'), fullPage: true });

  // the first click only asks; Cancel leaves everything as it was
  await pending.getByRole('button', { name: 'Approve' }).click();
  await pending.locator('.confirm-q', { hasText: 'Register the new schema version' }).waitFor();
  await pending.getByRole('button', { name: 'Cancel' }).click();
  await pending.getByRole('button', { name: 'Skip table' }).waitFor();
  assert.equal((await status()).connector.state, 'PAUSED', 'nothing decided without the confirmation');

  await pending.getByRole('button', { name: 'Approve' }).click();
  await page.waitForTimeout(2_500); // a refresh in between keeps the confirmation open
  await pending.getByRole('button', { name: 'Confirm approve' }).click();
  await page.locator('#schema-changes', { hasText: 'Approved: the new version is registered' }).waitFor({ timeout: 20_000 });
  await page.locator('.title-row [data-state=RUNNING]').waitFor({ timeout: 30_000 });
  await page.locator(`#schema-changes tr[data-decision="${id}:approved"]`).waitFor({ timeout: 15_000 });
  await page.locator('#schema-changes', { hasText: 'No schema change waiting' }).waitFor();
  assert.match(await page.locator(`#schema-changes tr[data-decision="${id}:approved"]`).textContent() ?? '', new RegExp(`${topic}-value → id \\d+`));
  await page.screenshot({ path: resolve(ARTIFACTS, 'console-schema-change-approved.png'), fullPage: true });

  const records = await readTopics(services.kafkaBrokers, services.registryUrl, [topic], (r) => r.some((x) => x.value?.op === 'c' && Number(x.value.after.id) === ROWS + 1), 30_000);
  const created = records.find((x) => x.value?.op === 'c' && Number(x.value.after.id) === ROWS + 1)!;
  assert.equal(created.value!.after.qty, 'q-new', 'the new row arrives with the new shape');
  assert.equal((await status()).connector.state, 'RUNNING');
  assert.deepEqual(problems, [], 'no script errors and no CSP violations');
});
