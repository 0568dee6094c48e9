import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { CompactSign } from 'jose';
import type { JwtAlgorithm } from '../../src/index.js';

/** A signing key plus its public JWK, made with node:crypto and signed through jose (independent of our verifier). */
export interface TestSigner {
  readonly kid: string;
  readonly alg: JwtAlgorithm;
  readonly privateKey: KeyObject;
  readonly jwk: Record<string, string>;
  sign(claims: object, header?: Record<string, unknown>): Promise<string>;
}

export function testSigner(kid: string, alg: JwtAlgorithm = 'ES256'): TestSigner {
  const pair =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : alg === 'ES384'
        ? generateKeyPairSync('ec', { namedCurve: 'P-384' })
        : alg === 'EdDSA'
          ? generateKeyPairSync('ed25519')
          : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const exported = pair.publicKey.export({ format: 'jwk' }) as Record<string, string>;
  const jwk = { ...exported, kid, alg, use: 'sig' };
  return {
    kid,
    alg,
    privateKey: pair.privateKey,
    jwk,
    sign(claims, header = {}) {
      return signRaw(JSON.stringify(claims), { typ: 'JWT', alg, kid, ...header }, pair.privateKey);
    },
  };
}

export function signRaw(payload: string, header: Record<string, unknown>, key: KeyObject): Promise<string> {
  return new CompactSign(new TextEncoder().encode(payload))
    .setProtectedHeader(header as { alg: string })
    .sign(key);
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** The reference test's claims helper: empty optional strings, exp one hour ahead. */
export function testClaims(iss: string, sub: string, clientId: string, exp = nowSeconds() + 3600) {
  return {
    scope: '',
    client_id: clientId,
    personal_space_id: '',
    did: '',
    mailbox_id: '',
    iss,
    sub,
    jti: '',
    aud: null,
    exp,
  };
}
