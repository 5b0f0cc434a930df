import { randomBytes } from 'node:crypto';
import { kraftClusterId } from './kraft-cluster-id.js';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { brokerAnswers, KAFKA_LIB } from './private-kafka.js';
import { alive, atExit, portNear, privateDir, signalGroup, spawnDetached, tail, terminate, waitUntil } from './private-process.js';

/** An OAUTHBEARER listener's identity provider: the broker validates tokens against its JWKS. */
export interface BrokerOAuth {
  jwksUrl: string;
  audience: string;
  issuer: string;
}

/**
 * A private KRaft broker with a SASL_SSL listener (SCRAM-SHA-512, user pgcdc created at format
 * time) and an SSL listener requiring client certificates, both with certificates of a throwaway
 * CA made here with openssl. A PLAINTEXT listener stays for the inter-broker link and the probe.
 * With `oauth`, also a SASL_PLAINTEXT listener (oauthPort) for OAUTHBEARER, validating RS256 JWTs
 * against the JWKS URL (Kafka 4.x: allowed by the org.apache.kafka.sasl.oauthbearer.allowed.urls
 * system property) and making clients re-authenticate by their token's expiry.
 */
export class SecureKafka {
  readonly dir = privateDir('kafka-secure');
  readonly password = randomBytes(12).toString('hex');
  plainPort = 0;
  saslPort = 0;
  mtlsPort = 0;
  oauthPort = 0;
  private controllerPort = 0;
  private pid: number | undefined;
  private readonly unregister = atExit(() => this.cleanupSync());

  /** `basePort`: where to look for free ports (default 19192, each helper/test its own range). */
  constructor(private readonly options: { oauth?: BrokerOAuth; basePort?: number } = {}) {}

  file(name: string): string {
    return join(this.dir, 'tls', name);
  }

  get caPem(): string {
    return readFileSync(this.file('ca.pem'), 'utf8');
  }

  async start(): Promise<void> {
    const base = this.options.basePort ?? 19192;
    this.plainPort = await portNear(base);
    this.saslPort = await portNear(base + 2);
    this.mtlsPort = await portNear(base + 3);
    this.controllerPort = await portNear(base + 1);
    if (this.options.oauth) this.oauthPort = await portNear(base + 4);
    this.makeCertificates();
    this.configure();
    const allowUrls = this.options.oauth ? [`-Dorg.apache.kafka.sasl.oauthbearer.allowed.urls=${this.options.oauth.jwksUrl}`] : [];
    this.pid = spawnDetached('java', ['-Xms128m', '-Xmx512m', '-Djava.awt.headless=true', ...allowUrls, `-Dlog4j2.configurationFile=${join(this.dir, 'log4j2.xml')}`, '-cp', `${KAFKA_LIB}/*`, 'kafka.Kafka', join(this.dir, 'server.properties')], join(this.dir, 'kafka.log'), this.dir);
    await waitUntil(() => this.answers(), 'secure private Kafka to answer', 90_000, () => (alive(this.pid) ? null : `exited during start-up:\n${tail(join(this.dir, 'kafka.log'))}\n${tail(join(this.dir, 'server.log'))}`));
  }

  async cleanup(): Promise<void> {
    if (this.pid && alive(this.pid)) await terminate(this.pid, 0);
    this.cleanupSync();
  }

  private answers(): Promise<boolean> {
    return brokerAnswers([`127.0.0.1:${this.plainPort}`], 'pgcdc-secure-probe');
  }

  private cleanupSync(): void {
    if (this.pid) signalGroup(this.pid, 'SIGKILL');
    this.pid = undefined;
    rmSync(this.dir, { recursive: true, force: true });
    this.unregister?.();
  }

  /** CA, a server certificate for 127.0.0.1/localhost, a client certificate, and an unrelated CA. */
  private makeCertificates(): void {
    const d = join(this.dir, 'tls');
    mkdirSync(d, { recursive: true });
    const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: d, stdio: 'pipe', timeout: 60_000 });
    for (const ca of ['ca', 'other-ca']) {
      ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${ca}-key.pem`, '-out', `${ca}.pem`, '-days', '2', '-subj', `/CN=pgcdc test ${ca}`);
    }
    writeFileSync(join(d, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    for (const [name, cn, ext] of [['server', 'localhost', ['-extfile', 'server.ext']], ['client', 'pgcdc', []]] as const) {
      ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}-key.pem`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
      ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', ...ext);
      writeFileSync(join(d, `${name}-keystore.pem`), readFileSync(join(d, `${name}-key.pem`), 'utf8') + readFileSync(join(d, `${name}.pem`), 'utf8'));
    }
  }

  private configure(): void {
    const data = join(this.dir, 'data');
    mkdirSync(data, { recursive: true });
    const conf = join(this.dir, 'server.properties');
    const oauth = this.options.oauth;
    const oauthListener = oauth ? `,OAUTH://127.0.0.1:${this.oauthPort}` : '';
    writeFileSync(conf, [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${this.controllerPort}`,
      `listeners=PLAINTEXT://127.0.0.1:${this.plainPort},SASL_SSL://127.0.0.1:${this.saslPort},MTLS://127.0.0.1:${this.mtlsPort}${oauthListener},CONTROLLER://127.0.0.1:${this.controllerPort}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${this.plainPort},SASL_SSL://127.0.0.1:${this.saslPort},MTLS://127.0.0.1:${this.mtlsPort}${oauthListener}`,
      `listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,MTLS:SSL,CONTROLLER:PLAINTEXT${oauth ? ',OAUTH:SASL_PLAINTEXT' : ''}`,
      ...(oauth ? [
        'listener.name.oauth.sasl.enabled.mechanisms=OAUTHBEARER',
        'listener.name.oauth.oauthbearer.sasl.server.callback.handler.class=org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler',
        'listener.name.oauth.oauthbearer.sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;',
        // The session ends when the token expires: a client must re-authenticate with a fresh one.
        'listener.name.oauth.oauthbearer.connections.max.reauth.ms=3600000',
        `sasl.oauthbearer.jwks.endpoint.url=${oauth.jwksUrl}`,
        `sasl.oauthbearer.expected.audience=${oauth.audience}`,
        `sasl.oauthbearer.expected.issuer=${oauth.issuer}`,
        'sasl.oauthbearer.clock.skew.seconds=1',
      ] : []),
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=PLAINTEXT',
      'sasl.enabled.mechanisms=SCRAM-SHA-512',
      'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
      'ssl.keystore.type=PEM',
      `ssl.keystore.location=${this.file('server-keystore.pem')}`,
      'ssl.truststore.type=PEM',
      `ssl.truststore.location=${this.file('ca.pem')}`,
      'listener.name.mtls.ssl.client.auth=required',
      `log.dirs=${data}`,
      'num.partitions=1',
      'offsets.topic.replication.factor=1',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'share.coordinator.state.topic.replication.factor=1',
      'share.coordinator.state.topic.min.isr=1',
      'min.insync.replicas=1',
      'group.initial.rebalance.delay.ms=0',
      '',
    ].join('\n'));
    writeFileSync(join(this.dir, 'log4j2.xml'),
      `<Configuration status="warn"><Appenders><File name="file" fileName="${join(this.dir, 'server.log')}"><PatternLayout pattern="[%d] %p %m (%c)%n"/></File></Appenders>` +
        `<Loggers><Logger name="kafka.request.logger" level="warn"/><Root level="info"><AppenderRef ref="file"/></Root></Loggers></Configuration>\n`);
    const clusterId = kraftClusterId();
    execFileSync('java', ['-cp', `${KAFKA_LIB}/*`, `-Dlog4j2.configurationFile=${join(this.dir, 'log4j2.xml')}`, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', conf,
      '--add-scram', `SCRAM-SHA-512=[name=pgcdc,password=${this.password}]`], { stdio: 'pipe', timeout: 60_000 });
  }
}
