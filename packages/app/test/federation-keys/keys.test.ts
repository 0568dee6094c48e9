import { generateKeyPairSync } from 'node:crypto';
import { createTestStorage, type TestStorage } from '@less-sync/storage/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  describeFederationKeys,
  type FederationConfig,
  FederationKeyError,
  loadFederationKeys,
} from '../../src/index.js';

const KID_A = 'https://sync.example.com/.well-known/jwks.json#fed-a';
const KID_B = 'https://sync.example.com/.well-known/jwks.json#fed-b';

function keyPair() {
  const pair = generateKeyPairSync('ed25519');
  const jwk = pair.privateKey.export({ format: 'jwk' });
  return {
    privateKey: new Uint8Array(Buffer.from(jwk.d ?? '', 'base64url')),
    publicKey: new Uint8Array(Buffer.from(jwk.x ?? '', 'base64url')),
    x: jwk.x ?? '',
  };
}

function config(overrides: Partial<FederationConfig> = {}): FederationConfig {
  return {
    trustedDomains: [],
    trustedKeys: [],
    inboundEnabled: false,
    outbound: {
      callTimeoutMs: 5000,
      reconnectMaxMs: 30_000,
      peerUrls: {},
      caFile: undefined,
      nodeExtraCaFile: undefined,
    },
    fstSecret: undefined,
    fstPreviousSecret: undefined,
    quotas: {
      maxSpaces: 1,
      maxRecordsPerHour: 1,
      maxBytesPerHour: 1,
      maxInvitationsPerHour: 1,
      maxConnections: 1,
    },
    domain: undefined,
    ...overrides,
  };
}

async function failure(promise: Promise<unknown>): Promise<FederationKeyError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FederationKeyError);
  return error as FederationKeyError;
}

describe('federation keys at start (FED-KEY-02, FED-KEY-08, FED-HTTP-01)', () => {
  let t: TestStorage;
  beforeEach(async () => {
    t = await createTestStorage();
  });
  afterEach(async () => {
    await t.close();
  });

  it('FED-KEY-02 FED-KEY-08 apply_federation_runtime_config_handles_empty_key_state', async () => {
    const keys = await loadFederationKeys(t.storage, config());
    expect(keys.signingKey).toBeUndefined();
    expect(keys.trustedKeys.size).toBe(0);
    expect(keys.fst).toBeUndefined();
    expect(await keys.jwks()).toEqual([]);
    expect(describeFederationKeys(keys)).toEqual({ signing_key: null, trusted_peer_keys: 0, fst: 'off' });
  });

  it('FED-KEY-02 FED-HTTP-01 apply_federation_runtime_config_uses_primary_key_and_publishes_active_jwks', async () => {
    const a = keyPair();
    const b = keyPair();
    await t.storage.createFederationKey({ kid: KID_A, ...a, promote: false });
    await t.storage.createFederationKey({ kid: KID_B, ...b, promote: true });
    const keys = await loadFederationKeys(t.storage, config({ domain: 'sync.example.com' }));
    expect(keys.signingKey).toEqual({ kid: KID_B, privateKey: b.privateKey, publicKey: b.publicKey });
    expect(describeFederationKeys(keys)).toEqual({ signing_key: KID_B, trusted_peer_keys: 0, fst: 'off' });
    const entry = { kty: 'OKP', alg: 'EdDSA', use: 'federation', crv: 'Ed25519' };
    expect(await keys.jwks()).toEqual([
      { kid: KID_A, ...entry, x: a.x },
      { kid: KID_B, ...entry, x: b.x },
    ]);
  });

  it('FED-KEY-02 apply_federation_runtime_config_rejects_mismatched_primary_keypair, naming the fix', async () => {
    const a = keyPair();
    await t.storage.createFederationKey({ kid: KID_A, ...a, publicKey: keyPair().publicKey, promote: false });
    const error = await failure(loadFederationKeys(t.storage, config()));
    expect(error.message).toBe(
      `stored federation key pair mismatch for "${KID_A}" ` +
        '(replace it: federation-keygen --domain sync.example.com --promote)',
    );
  });

  it('FED-KEY-02 a primary whose private key is not a 32-byte seed stops the start', async () => {
    await t.storage.createFederationKey({
      kid: KID_A,
      privateKey: new Uint8Array(31),
      publicKey: keyPair().publicKey,
      promote: false,
    });
    const error = await failure(loadFederationKeys(t.storage, config()));
    expect(error.message).toContain(`stored federation private key "${KID_A}" is not 32 bytes`);
  });

  it('FED-KEY-02 a stored public key that is not 32 bytes or not a curve point stops the start', async () => {
    const good = keyPair();
    await t.storage.createFederationKey({ kid: KID_A, ...good, promote: false });
    const notAPoint = new Uint8Array(32);
    notAPoint[0] = 2;
    await t.storage.createFederationKey({
      kid: KID_B,
      privateKey: good.privateKey,
      publicKey: notAPoint,
      promote: false,
    });
    const error = await failure(loadFederationKeys(t.storage, config()));
    expect(error.message).toContain(`stored federation public key "${KID_B}" is invalid`);
    await t.storage.retireFederationKey(KID_B);
    await t.storage.createFederationKey({
      kid: 'https://sync.example.com/.well-known/jwks.json#short',
      privateKey: good.privateKey,
      publicKey: new Uint8Array(31),
      promote: false,
    });
    expect((await failure(loadFederationKeys(t.storage, config()))).message).toContain('is not 32 bytes');
  });

  it('FED-KEY-02 R25 FEDERATION_DOMAIN without a primary key stops the start and says what to run', async () => {
    const error = await failure(loadFederationKeys(t.storage, config({ domain: 'sync.example.com' })));
    expect(error.message).toBe(
      'FEDERATION_DOMAIN is "sync.example.com" but the database has no primary federation signing key: ' +
        'run "federation-keygen --domain sync.example.com" once, then give the printed trusted_keys_entry to peers',
    );
    // Nothing was created by the failed start (the server never makes keys, R25).
    expect(await t.storage.listFederationPublicKeys()).toEqual([]);
  });

  it('FED-KEY-02 FEDERATION_DOMAIN must match the primary key (ports aside)', async () => {
    await t.storage.createFederationKey({
      kid: 'https://localhost:5379/.well-known/jwks.json#fed-1',
      ...keyPair(),
      promote: false,
    });
    expect(
      (await loadFederationKeys(t.storage, config({ domain: 'localhost:5379' }))).signingKey?.kid,
    ).toContain('localhost');
    const error = await failure(loadFederationKeys(t.storage, config({ domain: 'sync.example.com' })));
    expect(error.message).toContain('is not for FEDERATION_DOMAIN "sync.example.com"');
    expect(error.message).toContain('run "federation-keygen --domain sync.example.com --promote"');
  });

  it('FED-HTTP-01 keys added or retired after start show up once the short cache expires', async () => {
    let now = 1_000_000;
    const invalid: string[] = [];
    const a = keyPair();
    await t.storage.createFederationKey({ kid: KID_A, ...a, promote: false });
    const keys = await loadFederationKeys(t.storage, config(), {
      now: () => now,
      ttlMs: 5_000,
      onInvalidKey: (error) => invalid.push(error.message),
    });
    const kids = async () => (await keys.jwks()).map((k) => k.kid);
    expect(await kids()).toEqual([KID_A]);

    await t.storage.createFederationKey({ kid: KID_B, ...keyPair(), promote: true });
    expect(await kids()).toEqual([KID_A]);
    now += 5_000;
    expect(await kids()).toEqual([KID_A, KID_B]);

    // A key that became unusable after start is left out and reported, the others still served.
    const bad = 'https://sync.example.com/.well-known/jwks.json#bad';
    await t.storage.createFederationKey({ kid: bad, ...a, publicKey: new Uint8Array(3), promote: false });
    await t.storage.retireFederationKey(KID_A);
    now += 5_000;
    const [first, second] = await Promise.all([kids(), kids()]);
    expect(first).toEqual([KID_B]);
    expect(second).toEqual([KID_B]);
    expect(invalid).toEqual([`stored federation public key "${bad}" is not 32 bytes`]);
  });

  it('FED-KEY-06 FED-KEY-08 trusted keys and FST secrets are handed over ready to use', async () => {
    const peer = keyPair();
    const keyId = 'https://peer.example.com/.well-known/jwks.json#p1';
    const keys = await loadFederationKeys(
      t.storage,
      config({
        trustedDomains: ['peer.example.com'],
        trustedKeys: [{ keyId, domain: 'peer.example.com', publicKey: peer.publicKey }],
        inboundEnabled: true,
        fstSecret: 'now',
        fstPreviousSecret: 'before',
      }),
    );
    expect(keys.trustedKeys.get(keyId)).toEqual(peer.publicKey);
    expect(keys.trustedDomains).toEqual(['peer.example.com']);
    expect(keys.fst?.rotating).toBe(true);
    expect(describeFederationKeys(keys)).toEqual({
      signing_key: null,
      trusted_peer_keys: 1,
      fst: 'current+previous',
    });
    const space = '0190a5e0-0000-7000-8000-000000000001';
    expect(keys.fst?.verify(keys.fst.issue(space, 'peer.example.com'), 'peer.example.com').spaceId).toBe(
      space,
    );
  });
});
