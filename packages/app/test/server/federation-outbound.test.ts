import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { peerTarget } from '@less-sync/api';
import type { FederationSigningKey } from '@less-sync/storage';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/metrics/index.js';
import { createFederationOutbound, signingKeyDomain } from '../../src/server/federation-outbound.js';
import { load } from '../config/helpers.js';

function signingKey(kid = 'https://b.fed.test/.well-known/jwks.json#fed-b'): FederationSigningKey {
  const jwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
  return {
    kid,
    privateKey: new Uint8Array(Buffer.from(jwk.d ?? '', 'base64url')),
    publicKey: new Uint8Array(Buffer.from(jwk.x ?? '', 'base64url')),
  };
}

const logger = pino({ level: 'silent' });

describe('FED-PEER-01 FED-KEY-08 the outbound forwarder exists iff a primary signing key is stored', () => {
  it('no key: no forwarder; a key: a manager signing with its kid, its peers in the metrics', async () => {
    const config = load({ FEDERATION_CALL_TIMEOUT_MS: '300' });
    const metrics = createMetrics({ processMetrics: false });
    expect(createFederationOutbound(config, undefined, metrics, logger)).toBeUndefined();
    const manager = createFederationOutbound(config, signingKey(), metrics, logger);
    expect(manager).toBeDefined();
    try {
      await expect(manager?.pull(peerTarget('127.0.0.1:1'), [])).rejects.toMatchObject({
        kind: 'unavailable',
      });
      const text = await metrics.registry.metrics();
      expect(text).toContain('less_sync_federation_outbound_state{domain="127.0.0.1:1",state="idle"} 1');
      expect(text).toContain('less_sync_federation_outbound_pending_calls{domain="127.0.0.1:1"} 0');
      expect(text).toContain('less_sync_federation_outbound_subscriptions{domain="127.0.0.1:1"} 0');
    } finally {
      manager?.close();
    }
  });

  it('FEDERATION_CA_FILE is read at start; an unreadable file stops the start naming it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'less-sync-ca-'));
    try {
      const pem = join(dir, 'ca.pem');
      await writeFile(pem, '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n');
      const metrics = createMetrics({ processMetrics: false });
      const ok = createFederationOutbound(load({ FEDERATION_CA_FILE: pem }), signingKey(), metrics, logger);
      ok?.close();
      const missing = join(dir, 'missing.pem');
      expect(() =>
        createFederationOutbound(
          load({ FEDERATION_CA_FILE: missing }),
          signingKey(),
          createMetrics({ processMetrics: false }),
          logger,
        ),
      ).toThrow(`FEDERATION_CA_FILE ${JSON.stringify(missing)} cannot be read`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('the signing key names this server own domain (spaces homed there are local)', () => {
    expect(signingKeyDomain(signingKey('https://Sync.Example.com:443/.well-known/jwks.json#k'))).toBe(
      'sync.example.com',
    );
    expect(signingKeyDomain(undefined)).toBeUndefined();
    expect(signingKeyDomain(signingKey('not a url'))).toBeUndefined();
  });
});
