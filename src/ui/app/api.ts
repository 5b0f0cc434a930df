/**
 * Calls to the worker's REST API from the page. Credentials live in sessionStorage (gone with the
 * tab) and go out as an Authorization header; the browser's own credential handling is off, so a
 * 401 never pops up a native dialog and nothing is sent that the user did not type here.
 */
const KEY = 'pgcdc.console.authorization';

export class AuthRequired extends Error {
  constructor(readonly hadCredentials: boolean, message: string) {
    super(message);
  }
}
export class Unreachable extends Error {}
export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export const hasCredentials = () => sessionStorage.getItem(KEY) !== null;
export const signOut = () => sessionStorage.removeItem(KEY);
export const useToken = (token: string) => sessionStorage.setItem(KEY, `Bearer ${token.trim()}`);

export function useBasic(user: string, password: string): void {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  sessionStorage.setItem(KEY, `Basic ${btoa(String.fromCharCode(...bytes))}`);
}

export async function call(method: 'GET' | 'PUT' | 'POST', path: string): Promise<any> {
  const auth = sessionStorage.getItem(KEY);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (auth) headers.authorization = auth;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, credentials: 'omit', cache: 'no-store', signal: AbortSignal.timeout(10_000) });
  } catch {
    throw new Unreachable(`Cannot reach the worker at ${location.host}: is it running? Retrying.`);
  }
  const text = await res.text();
  let body: any = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  const message = typeof body?.message === 'string' ? body.message : `HTTP ${res.status}`;
  if (res.status === 401) throw new AuthRequired(auth !== null, message);
  if (!res.ok) throw new ApiError(res.status, message);
  return body;
}
