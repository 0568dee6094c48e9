import { randomUUID } from 'node:crypto';
import { createFst, deriveFstKey } from '@less-sync/auth';
import { describe, expect, it } from 'vitest';
import { EchoFilter, HeldNotifications } from '../../../src/federation/outbound/echo-filter.js';
import {
  FederationCallError,
  fstExpiryMs,
  isFederationCallError,
  RemoteSubscribers,
} from '../../../src/index.js';

describe('origin-side building blocks', () => {
  it('FED-KEY-07 fstExpiryMs reads the expiry of a home FST and refuses anything else', () => {
    const key = deriveFstKey(Buffer.from('01234567890123456789012345678901'));
    const exp = Math.floor(Date.now() / 1000) + 600;
    const token = createFst(key, randomUUID(), 'b.fed.test', exp);
    expect(fstExpiryMs(token)).toBe(exp * 1000);
    expect(fstExpiryMs('')).toBeUndefined();
    expect(fstExpiryMs('not base64url!')).toBeUndefined();
    expect(fstExpiryMs('AAAA')).toBeUndefined();
    const huge = Buffer.alloc(105, 0xff).toString('base64url');
    expect(fstExpiryMs(huge)).toBeUndefined();
  });

  it('R28 EchoFilter remembers the pusher per (space, cursor), bounded in size and age', () => {
    const f = new EchoFilter(2, 1000);
    f.record('s', 1, 'c1', 0);
    f.record('s', 2, 'c2', 0);
    f.record('s', 3, 'c3', 0);
    expect(f.pusher('s', 1, 10)).toBeUndefined();
    expect(f.pusher('s', 2, 10)).toBe('c2');
    expect(f.pusher('s', 3, 2000)).toBeUndefined();
    expect(f.pusher('t', 2, 10)).toBeUndefined();
  });

  it('R28 HeldNotifications keeps order while pushes are in flight and is bounded', () => {
    const h = new HeldNotifications(2);
    const n = (method: string) => ({ domain: 'd', method, params: null });
    expect(h.offer('d', 's', n('a'))).toBe(false);
    const r1 = h.hold('d', 's');
    const r2 = h.hold('d', 's');
    expect(h.offer('d', 's', n('a'))).toBe(true);
    expect(h.offer('d', 's', n('b'))).toBe(true);
    expect(h.offer('d', 's', n('c'))).toBe(false);
    expect(r1()).toEqual([]);
    expect(r1()).toEqual([]);
    expect(r2().map((x) => x.method)).toEqual(['a', 'b']);
    expect(h.offer('d', 's', n('d'))).toBe(false);
  });

  it('R17 B16 RemoteSubscribers: per (peer, space) members, the gate by host, releases when the last leaves', () => {
    const r = new RemoteSubscribers();
    const peer = { domain: '127.0.0.1:5002', url: 'ws://127.0.0.1:5002/api/v1/federation/ws' };
    const space = randomUUID();
    const conn = (id: string) => ({ id }) as never;
    const entry = { id: space.toUpperCase(), since: 0, ucan: 'u', token: '', presence: false };
    r.add(peer, entry.id, conn('c1'), entry);
    r.add(peer, space, conn('c2'), entry);
    expect(r.subscribers(peer.domain, space).map((s) => s.connection.id)).toEqual(['c1', 'c2']);
    expect(r.subscribedThrough('127.0.0.1', space)).toBe(true);
    expect(r.subscribedThrough('127.0.0.1:9', space)).toBe(true);
    expect(r.peerOf(peer.domain, space)).toBe(peer);
    expect(r.remove('c1')).toEqual([]);
    expect(r.remove('c9')).toEqual([]);
    expect(r.remove('c2', [randomUUID()])).toEqual([]);
    expect(r.remove('c2', [space])).toEqual([{ peer, spaces: [space] }]);
    expect(r.has(peer.domain, space)).toBe(false);
    expect(r.subscribedThrough('127.0.0.1', space)).toBe(false);
  });

  it('R29 FederationCallError kinds carry the code the client sees', () => {
    expect(FederationCallError.remote('rate_limited', 'x')).toMatchObject({
      kind: 'remote',
      code: 'rate_limited',
    });
    expect(FederationCallError.timeout()).toMatchObject({
      code: 'internal',
      message: 'home server did not answer in time',
    });
    expect(FederationCallError.unavailable('down').message).toBe('home server is unreachable: down');
    expect(FederationCallError.overloaded('full').kind).toBe('overloaded');
    expect(isFederationCallError(FederationCallError.protocol('bad'))).toBe(true);
    expect(isFederationCallError(new Error('x'))).toBe(false);
  });
});
