import { describe, expect, it } from 'vitest';
import { FstGrantMemory } from '../../src/federation/inbound/fst-grants.js';
import { InMemoryFederationQuota, peerHost, RemoteSubscriptionLedger } from '../../src/index.js';
import { DEFAULT_LIMITS } from './peer.js';

const HOUR = 3_600_000;

function quota(limits: Partial<typeof DEFAULT_LIMITS> = {}) {
  let now = 1_000_000;
  const q = new InMemoryFederationQuota({ ...DEFAULT_LIMITS, ...limits }, () => now);
  return { q, advance: (ms: number) => (now += ms) };
}

describe('FED-QUOTA-02..06 per-peer counters', () => {
  it('connection_limit_is_enforced; release saturates at zero; unknown domain is a no-op', async () => {
    const { q } = quota({ maxConnections: 2 });
    expect(await q.tryAddConnection('a')).toBe(true);
    expect(await q.tryAddConnection('a')).toBe(true);
    expect(await q.tryAddConnection('a')).toBe(false);
    expect(await q.tryAddConnection('b')).toBe(true);
    await q.removeConnection('a');
    await q.removeConnection('a');
    await q.removeConnection('a');
    await q.removeConnection('nobody');
    expect((await q.peerStatus('a')).connections).toBe(0);
  });

  it('space_limit_is_enforced: zero always fits, all-or-nothing, saturating release', async () => {
    const { q } = quota({ maxSpaces: 3 });
    expect(await q.tryAddSpaces('a', 0)).toBe(true);
    expect(await q.tryAddSpaces('a', 2)).toBe(true);
    expect(await q.tryAddSpaces('a', 2)).toBe(false);
    expect((await q.peerStatus('a')).spaces).toBe(2);
    await q.removeSpaces('a', 5);
    expect((await q.peerStatus('a')).spaces).toBe(0);
  });

  it('push_limit_is_enforced with lazy hourly windows; a refund never goes negative (B14)', async () => {
    const { q, advance } = quota({ maxRecordsPerHour: 3, maxBytesPerHour: 10 });
    expect(await q.tryReservePush('a', 2, 5)).toBeUndefined();
    expect(await q.tryReservePush('a', 2, 1)).toBe('records');
    expect(await q.tryReservePush('a', 1, 6)).toBe('bytes');
    expect(await q.tryReservePush('a', 4, 0)).toBe('records');
    await q.refundPush('a', 9, 9);
    await q.refundPush('nobody', 1, 1);
    expect(await q.peerStatus('a')).toMatchObject({ records_this_hour: 0, bytes_this_hour: 0 });
    expect(await q.tryReservePush('a', 3, 10)).toBeUndefined();
    advance(HOUR - 1);
    expect(await q.tryReservePush('a', 1, 0)).toBe('records');
    advance(1);
    expect(await q.tryReservePush('a', 1, 0)).toBeUndefined();
  });

  it('invitation_limit_is_enforced and rolls over after an hour', async () => {
    const { q, advance } = quota({ maxInvitationsPerHour: 1 });
    expect(await q.tryAddInvitation('a')).toBe(true);
    expect(await q.tryAddInvitation('a')).toBe(false);
    advance(HOUR);
    expect(await q.tryAddInvitation('a')).toBe(true);
  });

  it('FED-QUOTA-06 snapshots: status creates the entry; all-peer status lists every known domain', async () => {
    const { q } = quota();
    await q.tryAddConnection('b.example');
    expect(await q.peerStatus('a.example')).toEqual({
      domain: 'a.example',
      connections: 0,
      spaces: 0,
      records_this_hour: 0,
      bytes_this_hour: 0,
      invitations_this_hour: 0,
    });
    expect((await q.allPeerStatus()).map((p) => [p.domain, p.connections])).toEqual([
      ['a.example', 0],
      ['b.example', 1],
    ]);
  });

  it('FED-QUOTA-02 concurrent reservations never exceed the limit', async () => {
    const { q } = quota({ maxRecordsPerHour: 10 });
    const results = await Promise.all(Array.from({ length: 50 }, () => q.tryReservePush('a', 1, 1)));
    expect(results.filter((r) => r === undefined)).toHaveLength(10);
  });
});

describe('R17 gate and B13 grant memory', () => {
  it('peerHost drops scheme, path and port as inbound peer identities do', () => {
    expect(peerHost('https://Home.Example.com:8443/x')).toBe('home.example.com');
    expect(peerHost('127.0.0.1:5379')).toBe('127.0.0.1');
    expect(peerHost('[::1]:5379')).toBe('::1');
    expect(peerHost('::1')).toBe('::1');
    expect(peerHost('example.com')).toBe('example.com');
  });

  it('the ledger is reference-counted per (peer, space)', () => {
    const ledger = new RemoteSubscriptionLedger();
    const space = '0f0f0f0f-0000-4000-8000-000000000000';
    ledger.add('http://peer.example:80', space);
    ledger.add('peer.example', space.toUpperCase());
    ledger.remove('peer.example', space);
    expect(ledger.subscribedThrough('peer.example', space)).toBe(true);
    ledger.remove('peer.example', space);
    expect(ledger.subscribedThrough('peer.example', space)).toBe(false);
  });

  it('FstGrantMemory is bounded and forgets expired grants', () => {
    const memory = new FstGrantMemory(2);
    memory.remember('p', 's1', ['a'], 100);
    memory.remember('p', 's2', ['b'], 100);
    memory.remember('p', 's3', ['c'], 100);
    expect(memory.size).toBe(2);
    expect(memory.lookup('p', 's1', 50)).toBeUndefined();
    expect(memory.lookup('p', 's3', 50)).toEqual(['c']);
    expect(memory.lookup('p', 's3', 101)).toBeUndefined();
    expect(memory.size).toBe(1);
  });
});

describe('FED-KEY-05 trust map', () => {
  it('a key that is not an Ed25519 point (or not 32 bytes) stops the start with the reference message', async () => {
    const { buildFederationTrust } = await import('../../src/index.js');
    const { isEd25519Point } = await import('@less-sync/auth');
    const { generateKeyPairSync } = await import('node:crypto');
    const good = Buffer.from(
      String(generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }).x),
      'base64url',
    );
    expect(isEd25519Point(good)).toBe(true);
    for (let i = 0; i < 300; i++) {
      const x = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }).x;
      expect(isEd25519Point(Buffer.from(String(x), 'base64url'))).toBe(true);
    }
    // y = 2 has no x on the curve; y >= p is not canonical.
    const notOnCurve = Buffer.alloc(32);
    notOnCurve[0] = 2;
    expect(isEd25519Point(notOnCurve)).toBe(false);
    expect(isEd25519Point(Buffer.alloc(32, 0xff))).toBe(false);
    expect(isEd25519Point(Buffer.alloc(31))).toBe(false);
    const keyId = 'https://peer.example.com/.well-known/jwks.json#k';
    expect(() => buildFederationTrust([{ keyId, publicKey: notOnCurve }], [])).toThrow(
      `invalid federation key bytes for "${keyId}"`,
    );
    const trust = buildFederationTrust([{ keyId, publicKey: good }], []);
    expect(trust.trustedDomains).toEqual(['peer.example.com']);
    expect(
      buildFederationTrust([{ keyId, publicKey: good }], ['B.example', 'peer.example.com']).trustedDomains,
    ).toEqual(['b.example', 'peer.example.com']);
  });
});
