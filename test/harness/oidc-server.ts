import { createSign, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One token the endpoint issued: when, to whom, until when (ms). */
export interface IssuedRecord {
  atMs: number;
  expiresAtMs: number;
  clientId: string;
}

/**
 * A small OIDC identity provider for tests: a client_credentials token endpoint (client secret as
 * HTTP basic authentication, as Kafka's client sends it) issuing RS256 JWTs signed with a key made
 * here, and the JWKS a broker verifies them with. Counts the token requests; the token lifetime can
 * be short to prove refreshing.
 */
export class OidcServer {
  readonly clientId = 'pgcdc-connect';
  readonly clientSecret = randomBytes(12).toString('hex');
  readonly audience = 'pgcdc-kafka';
  readonly kid = randomBytes(4).toString('hex');
  lifetimeSeconds = 3600;
  readonly issued: IssuedRecord[] = [];
  /** Every POST to /token, refused ones included. */
  requests = 0;
  refused = 0;
  private readonly privateKey: KeyObject;
  private readonly publicJwk: Record<string, unknown>;
  private server: Server | undefined;
  port = 0;

  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = privateKey;
    this.publicJwk = { ...publicKey.export({ format: 'jwk' }), kid: this.kid, use: 'sig', alg: 'RS256' };
  }

  get issuer(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get tokenUrl(): string {
    return `${this.issuer}/token`;
  }

  get jwksUrl(): string {
    return `${this.issuer}/jwks`;
  }

  async start(port: number): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const json = (status: number, value: unknown) => {
          res.writeHead(status, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify(value));
        };
        if (req.method === 'GET' && req.url === '/jwks') return json(200, { keys: [this.publicJwk] });
        if (req.method !== 'POST' || req.url !== '/token') return json(404, { error: 'not_found' });
        this.requests++;
        const form = new URLSearchParams(body);
        const [id, secret] = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString('utf8').split(':');
        if (form.get('grant_type') !== 'client_credentials') return json(400, { error: 'unsupported_grant_type' });
        if (id !== this.clientId || secret !== this.clientSecret) {
          this.refused++;
          return json(401, { error: 'invalid_client', error_description: 'Invalid client credentials' });
        }
        const now = Date.now();
        const iat = Math.floor(now / 1000);
        const exp = iat + this.lifetimeSeconds;
        this.issued.push({ atMs: now, expiresAtMs: exp * 1000, clientId: id });
        json(200, { access_token: this.sign({ iss: this.issuer, sub: id, aud: this.audience, iat, exp, scope: form.get('scope') ?? 'kafka' }), token_type: 'Bearer', expires_in: this.lifetimeSeconds });
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  private sign(payload: Record<string, unknown>): string {
    const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const input = `${part({ alg: 'RS256', typ: 'JWT', kid: this.kid })}.${part(payload)}`;
    return `${input}.${createSign('RSA-SHA256').update(input).sign(this.privateKey).toString('base64url')}`;
  }
}
