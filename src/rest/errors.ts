/**
 * Every error answer is Kafka Connect's `{"error_code": <status>, "message": "..."}` (pgcdc may add
 * fields such as `errors`). Framework errors (bad JSON, wrong content type, oversized body, schema
 * violations, unknown routes) are rewritten into that shape with a message saying what to fix.
 */
import type { Socket } from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { redactText } from '../config/index.js';
import { PgcdcError } from '../errors/pgcdc-error.js';
import { WorkerError } from '../worker/errors.js';

export interface ErrorBody {
  error_code: number;
  message: string;
  [extra: string]: unknown;
}

export function errorBody(status: number, message: string, extra: Record<string, unknown> = {}): ErrorBody {
  const clipped: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(extra)) clipped[k] = Array.isArray(v) ? v.map(clipIssue) : v;
  return { error_code: status, message: clipEcho(message), ...clipped };
}

/**
 * Messages quote what the client sent (a name, a value); a 200 kB name must not come back whole.
 * Every unbroken run of more than ECHO_MAX_CHARS is shortened, so the reason around it survives.
 */
const ECHO_MAX_CHARS = 120;
function clipEcho(text: string): string {
  if (text.length <= ECHO_MAX_CHARS) return text;
  return text.replace(/\S{121,}/g, (run) => `${run.slice(0, 100)}…(${run.length - 100} more characters)`);
}

function clipIssue(item: unknown): unknown {
  if (!item || typeof item !== 'object' || typeof (item as { message?: unknown }).message !== 'string') return item;
  return { ...item, message: clipEcho((item as { message: string }).message) };
}

interface SchemaIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** Ajv issues as sentences naming the field, e.g. `body has an unknown key "foo"`. */
function describeSchemaIssues(context: string, issues: SchemaIssue[]): string {
  const where = (i: SchemaIssue) => `${context}${i.instancePath.replace(/\//g, '.')}`;
  const lines = issues.map((i) => {
    if (i.keyword === 'additionalProperties') return `${where(i)} has an unknown key ${JSON.stringify(i.params.additionalProperty)}`;
    if (i.keyword === 'required') return `${where(i)} is missing the required key ${JSON.stringify(i.params.missingProperty)}`;
    if (i.keyword === 'enum') return `${where(i)} must be one of: ${(i.params.allowedValues as unknown[]).join(', ')}`;
    return `${where(i)} ${i.message ?? 'is invalid'}`;
  });
  return [...new Set(lines)].join('; ');
}

/** Status and message for an error thrown by fastify itself or a handler. */
export function toErrorBody(err: FastifyError & { validation?: SchemaIssue[]; validationContext?: string }, maxBodyBytes: number): ErrorBody {
  if (err instanceof WorkerError) return errorBody(err.status, err.message, err.extra);
  if (err.validation) return errorBody(400, `Invalid request: ${describeSchemaIssues(err.validationContext ?? 'body', err.validation)}`);
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return errorBody(415, 'Unsupported content type: send the request body as application/json');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return errorBody(413, `Request body is larger than the limit of ${maxBodyBytes} bytes`);
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return errorBody(400, 'Request body size does not match its Content-Length header');
  }
  if (err instanceof SyntaxError || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return errorBody(400, `Malformed JSON in the request body: ${err.message}`);
  }
  // Kafka or PostgreSQL trouble while serving a request (storing a config, reading offsets).
  if (err instanceof PgcdcError) return errorBody(err.retriable ? 503 : 500, redactText(err.describe(), {}));
  const status = err.statusCode ?? 500;
  if (status >= 400 && status < 500) return errorBody(status, err.message);
  return errorBody(500, `Internal error: ${redactText(err.message ?? String(err), {})}`);
}

/**
 * A refused body is still on its way: closing at once makes clients that send it whole before
 * reading (fetch, most HTTP libraries without Expect: 100-continue) see a reset instead of the 413.
 * Even answering first and closing after is not enough: closing a socket whose peer is still
 * sending makes the kernel reset the connection, and a reset can wipe the answer out of the
 * client's receive buffer before the client read it. So the answer is written on the socket at
 * once and the close lingers, as nginx's lingering_close does: the rest of the body is read and
 * discarded, and only when it ended (or DRAIN_LIMIT_BYTES / DRAIN_LIMIT_MS are used up) is the
 * connection closed. Returns false (and writes nothing) when nothing is left to read.
 */
const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;
const DRAIN_LIMIT_MS = 30_000;
/** After our FIN, how long a client may keep its side open before the socket is destroyed. */
const CLOSE_GRACE_MS = 5_000;

function answerAndLinger(raw: IncomingMessage, answer: ErrorBody): boolean {
  const socket = raw.socket;
  if (raw.complete || raw.destroyed || !socket || !socket.writable) return false;
  writeAnswer(socket, answer);
  let bytes = 0;
  const cut = () => socket.destroy();
  const timer = setTimeout(cut, DRAIN_LIMIT_MS);
  timer.unref();
  raw.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > DRAIN_LIMIT_BYTES) cut();
  });
  raw.once('end', () => {
    clearTimeout(timer);
    socket.end();
    setTimeout(cut, CLOSE_GRACE_MS).unref();
  });
  raw.once('close', () => clearTimeout(timer));
  raw.resume();
  return true;
}

/** Node's HTTP parser errors (before fastify sees a request), answered in Kafka Connect's shape. */
export function clientErrorBody(err: Error & { code?: string }): ErrorBody {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return errorBody(431, 'The request line or headers are larger than the server accepts (16 KiB); send data in the JSON body');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return errorBody(408, 'The request was not received in time');
    case 'HPE_INVALID_METHOD':
      return errorBody(405, 'Unsupported HTTP method (see GET /openapi.json)');
    case 'HPE_INVALID_CONTENT_LENGTH':
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
      return errorBody(400, 'Malformed HTTP request: invalid Content-Length header');
    case 'HPE_INVALID_URL':
      return errorBody(400, 'Malformed HTTP request: invalid request target');
    default:
      return errorBody(400, `Malformed HTTP request${err.code ? ` (${err.code})` : ''}`);
  }
}

/** fastify's clientErrorHandler: one JSON answer, then the connection is closed (the parser cannot resync). */
export function answerClientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  answerOnSocket(socket, clientErrorBody(err));
}

/** CONNECT (proxy tunnelling) never reaches fastify; node would drop the connection without a word. */
export function answerConnect(_req: IncomingMessage, socket: Socket): void {
  answerOnSocket(socket, errorBody(405, 'Unsupported HTTP method CONNECT: this is not a proxy'));
}

function answerOnSocket(socket: Socket, answer: ErrorBody): void {
  if (socket.writable) writeAnswer(socket, answer);
  socket.destroy();
}

const REASONS: Record<number, string> = { 400: 'Bad Request', 405: 'Method Not Allowed', 408: 'Request Timeout', 413: 'Payload Too Large', 431: 'Request Header Fields Too Large' };

/** A whole HTTP/1.1 answer written on the socket itself (node's response object is bypassed). */
function writeAnswer(socket: Socket, answer: ErrorBody): void {
  const body = JSON.stringify(answer);
  const reason = REASONS[answer.error_code] ?? 'Bad Request';
  socket.write(`HTTP/1.1 ${answer.error_code} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/**
 * fastify's frameworkErrors: URLs the router refuses before any route runs. The path is not echoed
 * (it may be megabytes of junk).
 */
export function answerFrameworkError(err: FastifyError, _request: FastifyRequest, reply: FastifyReply, maxBodyBytes: number): void {
  let body: ErrorBody;
  if (err.code === 'FST_ERR_BAD_URL') body = errorBody(400, 'Invalid URL: a path segment is not valid percent-encoded UTF-8');
  else if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') body = errorBody(414, 'A path segment is too long (connector names are at most 200 characters)');
  else body = toErrorBody(err, maxBodyBytes);
  void reply.code(body.error_code).type('application/json').send(body);
}

/**
 * `methodsOf(path)`: the methods routes answer for that path (empty when none does), so a known path
 * called with another method gets Kafka Connect's 405 instead of a 404.
 */
export function installErrorHandling(app: FastifyInstance, log: Logger, maxBodyBytes: number, methodsOf: (path: string) => string[] = () => []): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const body = toErrorBody(err, maxBodyBytes);
    if (body.error_code === 413 && answerAndLinger(request.raw, body)) {
      reply.hijack();
      log.debug({ method: request.method, url: request.url, status: 413 }, body.message);
      return;
    }
    if (body.error_code >= 500) log.error({ method: request.method, url: request.url, err: body.message }, 'REST request failed');
    else log.debug({ method: request.method, url: request.url, status: body.error_code }, body.message);
    void reply.code(body.error_code).type('application/json').send(body);
  });
  // One debug line per request: method, path, status, duration (never headers or bodies).
  app.addHook('onResponse', async (request, reply) => {
    log.debug({ method: request.method, path: request.url.split('?')[0], status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'REST request');
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const allowed = methodsOf(path);
    // Only when the path exists for other methods: a path the router refused for another reason
    // (an undecodable or dot segment) stays a 404.
    if (allowed.length > 0 && !allowed.includes(request.method)) {
      void reply.code(405).header('allow', allowed.join(', ')).send(errorBody(405, 'HTTP 405 Method Not Allowed'));
      return;
    }
    void reply.code(404).send(errorBody(404, `Unknown endpoint: ${request.method} ${path} (see GET /openapi.json)`));
  });
}
