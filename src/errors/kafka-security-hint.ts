/**
 * Names the worker setting behind a Kafka connection refused for security reasons: the library's
 * messages ("SASL authentication failed", "unable to verify the first certificate") do not say
 * which of security.protocol, sasl.* or ssl.* to look at. Never repeats a setting's value.
 */
export function kafkaSecurityHint(detail: string): string | undefined {
  if (/SASL authentication failed|SaslAuthenticate|Authentication failed|SASL_AUTHENTICATION_FAILED/i.test(detail)) {
    return 'the broker refused the SASL credentials: check the username and password in sasl.jaas.config (with OAUTHBEARER: that the broker accepts the tokens of sasl.oauthbearer.token.endpoint.url, their audience and issuer), and sasl.mechanism';
  }
  if (/Unsupported SASL mechanism|UNSUPPORTED_SASL_MECHANISM/i.test(detail)) return 'the broker does not accept this sasl.mechanism';
  if (/altnames|Hostname\/IP does not match|ERR_TLS_CERT_ALTNAME_INVALID/i.test(detail)) {
    return "the broker's certificate does not name the host in bootstrap.servers: fix the certificate or the address, or set ssl.endpoint.identification.algorithm= (empty) to skip the host name check";
  }
  if (/unable to verify|self[- ]signed certificate|unable to get (local )?issuer|certificate has expired|certificate is not yet valid|CERT_UNTRUSTED|UNABLE_TO_VERIFY/i.test(detail)) {
    return "the broker's certificate is not trusted: give its CA in ssl.truststore.certificates or ssl.truststore.location (ssl.truststore.type=PEM); without either, the system CAs are used";
  }
  if (/TLS handshake failed|wrong version number|packet length too long/i.test(detail)) {
    return 'the TLS handshake failed: check that security.protocol (SSL/SASL_SSL vs PLAINTEXT/SASL_PLAINTEXT) matches the listener in bootstrap.servers';
  }
  if (/certificate required|alert handshake failure|bad certificate/i.test(detail)) {
    return 'the broker refused the TLS client: it may require a client certificate (ssl.keystore.*)';
  }
  return undefined;
}
