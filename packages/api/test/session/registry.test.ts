import { randomUUID } from 'node:crypto';
import type { RealtimeConnection } from '@less-sync/realtime';
import { PresenceRegistry } from '@less-sync/realtime';
import { describe, expect, it } from 'vitest';
import type { ApiLogger } from '../../src/deps.js';
import { BackgroundTasks } from '../../src/rpc/background.js';
import { type ClientIdentity, identityFromAuth } from '../../src/session/identity.js';
import { SessionRegistry } from '../../src/session/registry.js';

type Conn = RealtimeConnection<ClientIdentity>;

function fakeConnection(state: Conn['state'] = 'open', failUnsubscribe = false) {
  const spaces = new Set<string>();
  const notified: string[] = [];
  const connection = {
    id: randomUUID(),
    state,
    subscribe: async (list: Iterable<string>) => {
      for (const s of list) spaces.add(s);
      return [...list];
    },
    unsubscribe: async (list: Iterable<string>) => {
      if (failUnsubscribe) throw new Error('broker gone');
      for (const s of list) spaces.delete(s);
      return [...list];
    },
    publish: async () => 0,
    notify: async (method: string) => {
      notified.push(method);
      if (failUnsubscribe) throw new Error('closed');
    },
  } as unknown as Conn;
  return { connection, spaces, notified };
}

const logs: string[] = [];
const logger: ApiLogger = { warn: (_f, m) => logs.push(m), error: (_f, m) => logs.push(m) };

describe('SessionRegistry (R8)', () => {
  it('R8 a subscription on a live connection without a session creates one; a closing connection gets none', async () => {
    const registry = new SessionRegistry(new PresenceRegistry(), logger);
    const space = randomUUID();
    const live = fakeConnection('open');
    await registry.subscribe(live.connection, [{ space, cids: ['c1'] }]);
    expect(registry.size).toBe(1);
    expect(live.spaces.has(space)).toBe(true);
    const closing = fakeConnection('closing');
    await registry.subscribe(closing.connection, [{ space, cids: ['c1'] }]);
    expect(registry.size).toBe(1);
    expect(closing.spaces.size).toBe(0);
    await registry.subscribe(live.connection, []);
    registry.close(live.connection.id);
    registry.close(live.connection.id);
    expect(registry.size).toBe(0);
    expect(await registry.revoke(space, 'c1')).toBe(0);
  });

  it('RPC-SUB-3 R8 unsubscribe drops the grant so a later revoke ends nothing', async () => {
    const registry = new SessionRegistry(undefined, logger);
    const space = randomUUID();
    const { connection } = fakeConnection();
    registry.open(connection);
    registry.open(connection);
    await registry.subscribe(connection, [{ space, cids: ['a', 'b'] }]);
    await registry.unsubscribe(connection, [space.toUpperCase(), randomUUID()]);
    expect(await registry.revoke(space, 'a')).toBe(0);
    expect(registry.grants(connection.id).size).toBe(0);
    // Unknown connections are a no-op.
    expect(await registry.unsubscribe(fakeConnection().connection, [space])).toEqual([space]);
  });

  it('R8 a failure while ending one subscription is logged and does not stop the revocation', async () => {
    logs.length = 0;
    const registry = new SessionRegistry(undefined, logger);
    const space = randomUUID();
    const broken = fakeConnection('open', true);
    const healthy = fakeConnection('open');
    await registry.subscribe(broken.connection, [{ space, cids: ['x'] }]);
    await registry.subscribe(healthy.connection, [{ space, cids: ['x'] }]);
    expect(await registry.revoke(space, 'x')).toBe(2);
    await new Promise((resolve) => setImmediate(resolve));
    expect(logs).toEqual(['ending a revoked subscription failed']);
    expect(healthy.notified).toEqual(['revoked']);
    expect(healthy.spaces.size).toBe(0);
  });
});

describe('identity and background tasks', () => {
  it('WS-AUTH-3 a token without exp has no connection expiry', () => {
    const identity = identityFromAuth({
      issuer: 'i',
      userId: 'u',
      clientId: 'c',
      personalSpaceId: '',
      did: '',
      mailboxId: 'm',
      scope: 'sync',
      expiresAt: undefined,
    });
    expect(identity).toMatchObject({ mailboxId: 'm', expiresAt: undefined });
  });

  it('background tasks report what is pending and log failures', async () => {
    logs.length = 0;
    const tasks = new BackgroundTasks(logger);
    let release!: () => void;
    tasks.run('slow', () => new Promise<void>((resolve) => (release = resolve)));
    tasks.run('broken', async () => {
      throw new Error('nope');
    });
    expect(tasks.pending).toBe(2);
    release();
    await tasks.idle();
    expect(tasks.pending).toBe(0);
    expect(logs).toEqual(['background task failed']);
  });
});
