/**
 * The console's entry point: hash routes (#/ overview, #/connector/<name>), a refresh every 2 s
 * (skipped while the tab is hidden), and the sign-in form when the worker asks for credentials.
 * Nothing is shown from the worker until a request with the credentials succeeds.
 */
import { ApiError, AuthRequired, call, hasCredentials, signOut, Unreachable, useBasic, useToken } from './api.js';
import { ConnectorPage, loadConnector, type ConnectorData } from './connector-page.js';
import { el, fill, note } from './dom.js';
import { renderOverview } from './overview.js';
import { timeEl } from './format.js';

const REFRESH_MS = 2_000;
/** Tables cost registry lookups: every fifth refresh. */
const TABLES_EVERY = 5;

const main = document.getElementById('main')!;
const banner = document.getElementById('banner')!;
const live = document.getElementById('live')!;
const signOutButton = document.getElementById('signout') as HTMLButtonElement;
const workerLabel = document.getElementById('worker')!;

let timer: number | undefined;
let generation = 0;
let page: ConnectorPage | null = null;
let pageData: ConnectorData | null = null;
let refreshes = 0;
let lastOverview: Record<string, { status: any }> | null = null;
let workerShown = false;

function route(): { view: 'overview' } | { view: 'connector'; name: string } {
  const m = /^#\/connector\/(.+)$/.exec(location.hash);
  return m ? { view: 'connector', name: decodeURIComponent(m[1]!) } : { view: 'overview' };
}

function showBanner(text: string | null): void {
  banner.hidden = text === null;
  fill(banner, text);
}

function showLogin(reason: string): void {
  page = null;
  lastOverview = null;
  signOutButton.hidden = true;
  fill(workerLabel);
  fill(live);
  const token = el('input', { type: 'password', id: 'token', name: 'token', autocomplete: 'off', required: true, placeholder: 'PGCDC_REST_TOKEN' });
  const user = el('input', { type: 'text', id: 'user', autocomplete: 'username' });
  const password = el('input', { type: 'password', id: 'password', autocomplete: 'current-password' });
  const tokenForm = el('form', { class: 'login-form', 'aria-label': 'Sign in with a token' },
    el('label', { for: 'token' }, 'API token'), token, el('button', { type: 'submit', class: 'btn primary' }, 'Sign in'));
  tokenForm.addEventListener('submit', (e) => {
    e.preventDefault();
    useToken(token.value);
    start();
  });
  const basicForm = el('form', { class: 'login-form' },
    el('label', { for: 'user' }, 'User'), user, el('label', { for: 'password' }, 'Password'), password, el('button', { type: 'submit', class: 'btn' }, 'Sign in'));
  basicForm.addEventListener('submit', (e) => {
    e.preventDefault();
    useBasic(user.value, password.value);
    start();
  });
  fill(main, el('div', { class: 'card login' },
    el('h1', {}, 'Sign in'),
    el('p', {}, reason),
    el('p', { class: 'muted' }, 'This worker requires credentials: the token set in PGCDC_REST_TOKEN (sent as a Bearer token), or the user and password of PGCDC_REST_BASIC_AUTH. They are kept in this tab only (sessionStorage).'),
    tokenForm,
    el('details', {}, el('summary', {}, 'Use a user and password instead'), basicForm)));
  token.focus();
}

async function refresh(): Promise<void> {
  const mine = generation;
  const r = route();
  try {
    if (!workerShown) {
      const root = await call('GET', '/');
      fill(workerLabel, `pgcdc ${root?.version ?? ''}`);
      workerShown = true;
    }
    const now = Date.now();
    if (r.view === 'overview') {
      page = null;
      const expanded = await call('GET', '/connectors?expand=status');
      if (mine !== generation) return;
      lastOverview = expanded;
      renderOverview(main, expanded, now, () => lastOverview && renderOverview(main, lastOverview, Date.now(), () => {}));
    } else {
      if (!page || page.name !== r.name) {
        page = new ConnectorPage(r.name, () => void tick());
        pageData = null;
        fill(main, page.root);
        document.title = `${r.name} · pgcdc console`;
      }
      pageData = await loadConnector(r.name, refreshes % TABLES_EVERY === 0, pageData);
      if (mine !== generation) return;
      page.update(pageData, now);
    }
    if (r.view === 'overview') document.title = 'pgcdc console';
    refreshes++;
    signOutButton.hidden = !hasCredentials();
    showBanner(null);
    fill(live, el('span', { class: 'dot', 'aria-hidden': 'true' }), 'Live · updated ', timeEl(now));
    live.className = 'live';
  } catch (err) {
    if (mine !== generation) return;
    if (err instanceof AuthRequired) {
      if (err.hadCredentials) signOut();
      stop();
      showLogin(err.hadCredentials ? `The worker refused these credentials (${err.message}). Check the token and sign in again.` : 'Sign in to see the connectors.');
      return;
    }
    if (err instanceof ApiError && err.status === 404 && r.view === 'connector') {
      page = null;
      fill(main, el('p', { class: 'crumbs' }, el('a', { href: '#/' }, '← All connectors')), note(`Connector "${r.name}" is not on this worker (deleted, or a mistyped address). Go back to the overview to pick one.`, 'error'));
      return;
    }
    live.className = 'live stale';
    fill(live, 'Not updating');
    if (err instanceof ApiError && err.status === 429) showBanner(`${err.message}. The page retries by itself.`);
    else if (err instanceof Unreachable) showBanner(err.message);
    else showBanner(`The worker answered with an error: ${(err as Error).message}. Retrying every ${REFRESH_MS / 1000} s.`);
  }
}

async function tick(): Promise<void> {
  clearTimeout(timer);
  const mine = generation;
  if (!document.hidden) await refresh();
  if (mine === generation) timer = window.setTimeout(() => void tick(), REFRESH_MS);
}

function stop(): void {
  generation++;
  clearTimeout(timer);
}

function start(): void {
  stop();
  void tick();
}

signOutButton.addEventListener('click', () => {
  signOut();
  workerShown = false;
  start();
});
window.addEventListener('hashchange', () => {
  page = null;
  start();
});
document.addEventListener('visibilitychange', () => {
  if (!document.hidden) start();
});
start();
