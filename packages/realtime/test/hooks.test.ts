import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type CloseDirective,
  createHandlerTable,
  InMemoryBroker,
  type RealtimeConnection,
  RealtimeEndpoint,
  requestRoute,
} from '../src/index.js';
import {
  eventually,
  type Harness,
  startHarness,
  stubAuthenticate,
  TestClient,
  type TestIdentity,
} from './support/harness.js';

let harness: Harness | undefined;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  for (const c of cleanups.splice(0)) await c();
});

describe('lifecycle hooks and pre-authenticated upgrades', () => {
  it('WS-CONN-1 onOpen sees the registered connection; onClose runs after teardown with the close sent', async () => {
    const events: string[] = [];
    let closeSeen: CloseDirective | undefined;
    harness = await startHarness({
      config: { maxLifetimeMs: 80, lifetimeJitter: 0 },
      hooks: {
        onOpen: (c) => events.push(`open:${c.state}:${c.identity?.userId}:${c.protocol}`),
        onClose: (c, directive) => {
          events.push(`close:${c.subscriptions.size}`);
          closeSeen = directive;
        },
      },
    });
    const client = await TestClient.authed(harness.url);
    await client.closed;
    await eventually(() => events.length === 2);
    expect(events).toEqual(['open:open:user-1:less-rpc-v1', 'close:0']);
    expect(closeSeen).toEqual({ code: 4001, reason: 'connection timeout' });
    expect([...harness.endpoint.connections()]).toEqual([]);
  });

  it('WS-CONN-1 closed settles after teardown whether it is read before the close or after it', async () => {
    const opened: RealtimeConnection<TestIdentity>[] = [];
    harness = await startHarness({ hooks: { onOpen: (c) => opened.push(c) } });
    const early = await TestClient.authed(harness.url);
    const late = await TestClient.authed(harness.url);
    await eventually(() => opened.length === 2);
    const [first, second] = opened as [RealtimeConnection<TestIdentity>, RealtimeConnection<TestIdentity>];
    let settled = false;
    const waiting = first.closed.then(() => (settled = true));
    expect(await Promise.race([waiting, new Promise((r) => setTimeout(() => r('pending'), 30))])).toBe(
      'pending',
    );
    expect(settled).toBe(false);
    early.ws.close();
    late.ws.close();
    await waiting;
    expect(first.state).toBe('closed');
    await eventually(() => second.state === 'closed');
    // Read only after teardown: already settled.
    await expect(second.closed).resolves.toBeUndefined();
  });

  it('failing hooks are logged and never crash the connection', async () => {
    const logged: string[] = [];
    harness = await startHarness({
      logger: { warn: (_f, m) => logged.push(m), error: (_f, m) => logged.push(m) },
      hooks: {
        onOpen: () => {
          throw new Error('open hook');
        },
        onClose: () => {
          throw new Error('close hook');
        },
      },
    });
    const client = await TestClient.authed(harness.url);
    await eventually(() => logged.includes('onOpen hook failed'));
    client.close();
    await eventually(() => logged.includes('onClose hook failed'));
  });

  it('a throwing admit hook refuses the connection with 4003 "failed to register connection"', async () => {
    harness = await startHarness({
      hooks: {
        admit: () => {
          throw new Error('quota store down');
        },
      },
    });
    const client = await TestClient.authed(harness.url);
    expect(await client.closed).toEqual({ code: 4003, reason: 'failed to register connection' });
  });

  it('WSPROTO-09 a pre-authenticated upgrade (federation route) skips the auth frame and registers at once', async () => {
    const broker = new InMemoryBroker();
    let seen: RealtimeConnection<TestIdentity> | undefined;
    const endpoint = new RealtimeEndpoint<TestIdentity>({
      authenticate: stubAuthenticate,
      broker,
      handlers: createHandlerTable({
        requests: {
          who: requestRoute({
            decode: () => undefined,
            handle: (_p, ctx) => ({ user: ctx.identity.userId }),
          }),
        },
      }),
      hooks: { onOpen: (c) => (seen = c) },
    });
    const server = createServer();
    server.on('upgrade', (req, socket, head) =>
      endpoint.handleUpgrade(req, socket, head, {
        identity: { mailboxId: 'peer.example.com', userId: 'peer', clientId: 'peer', scope: '', token: '' },
      }),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(async () => {
      await endpoint.shutdown({ graceMs: 200 });
      await new Promise<void>((r) => server.close(() => r()));
    });
    const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/federation/ws`;
    const client = await TestClient.connect(url);
    // The very first frame is a request: no auth frame on this route.
    client.request('r1', 'who');
    expect(await client.next()).toEqual({ type: 1, id: 'r1', result: { user: 'peer' } });
    expect(await broker.connectionCount('peer.example.com')).toBe(1);
    expect(seen?.identity?.mailboxId).toBe('peer.example.com');
    // A ping is fine here: the handshake rule applies only to the auth-frame route.
    client.ws.ping();
    expect(await client.silentFor(50)).toBe(true);
    expect(endpoint.size).toBe(1);
  });

  it('WS-CONN-2 a pre-authenticated upgrade over the mailbox limit closes 4003', async () => {
    const broker = new InMemoryBroker({ maxConnectionsPerMailbox: 0 });
    const endpoint = new RealtimeEndpoint<TestIdentity>({
      authenticate: stubAuthenticate,
      broker,
      handlers: createHandlerTable({}),
    });
    const server = createServer();
    server.on('upgrade', (req, socket, head) =>
      endpoint.handleUpgrade(req, socket, head, {
        identity: { mailboxId: 'm', userId: 'u', clientId: 'c', scope: '', token: '' },
      }),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(async () => {
      await endpoint.shutdown({ graceMs: 200 });
      await new Promise<void>((r) => server.close(() => r()));
    });
    const client = await TestClient.connect(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    expect(await client.closed).toEqual({ code: 4003, reason: 'too many connections' });
  });
});
