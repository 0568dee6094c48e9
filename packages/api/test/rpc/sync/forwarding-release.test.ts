/**
 * B8: a forwarded call releases the client connection's read loop while the home server is asked, so the
 * client's later (local) calls are answered without waiting for it. The home is a stub whose calls the
 * test answers by hand.
 */
import { randomUUID } from 'node:crypto';
import type { PushRpcResultInit, WsSubscribeSpace } from '@less-sync/core';
import { afterEach, describe, expect, it } from 'vitest';
import type {
  FederationForwarder,
  PeerTarget,
  RemoteChunk,
  RemoteSubscribeOutcome,
} from '../../../src/index.js';
import type { Reply } from '../../harness/client.js';
import { TestServer } from '../../harness/index.js';

let server: TestServer | undefined;
afterEach(async () => {
  forwarder?.answerAll();
  await server?.close();
  server = undefined;
});

/** Every call waits until the test answers it; `unsubscribe` is recorded. */
class GatedForwarder implements FederationForwarder {
  readonly started: string[] = [];
  readonly unsubscribed: string[][] = [];
  private readonly gates: Array<() => void> = [];

  private gate<T>(name: string, value: T): Promise<T> {
    this.started.push(name);
    return new Promise<T>((resolve) => this.gates.push(() => resolve(value)));
  }
  answerAll(): void {
    for (const open of this.gates.splice(0)) open();
  }
  subscribe(_peer: PeerTarget, _spaces: readonly WsSubscribeSpace[]): Promise<RemoteSubscribeOutcome> {
    return this.gate('subscribe', { errors: [] });
  }
  unsubscribe(_peer: PeerTarget, spaces: readonly string[]): void {
    this.unsubscribed.push([...spaces]);
  }
  forwardPush(): Promise<PushRpcResultInit> {
    return this.gate('push', { ok: true, cursor: 77 });
  }
  pull(): Promise<readonly RemoteChunk[]> {
    return this.gate('pull', [{ name: 'pull.begin', data: { space: 'remote' } }]);
  }
  async restoreSubscriptions(): Promise<void> {}
  forwardInvitation(): Promise<void> {
    return this.gate('invitation', undefined);
  }
}
let forwarder: GatedForwarder | undefined;

async function start() {
  forwarder = new GatedForwarder();
  const s = await TestServer.start({
    federation: forwarder,
    config: { trustedDomains: ['peer.example.com'] },
  });
  server = s;
  const alice = s.user();
  const space = await s.sharedSpace();
  await s.storage.setSpaceHomeServer(space.id, 'peer.example.com');
  return { s, f: forwarder, alice, space, c: await s.connect(alice) };
}

const change = () => ({ id: randomUUID(), blob: new Uint8Array([1]), expected_cursor: 0 });

describe('forwarded calls release the client read loop (B8)', () => {
  it('B8 FED-RPC-10..13 while each forwarded call waits on the home, a local call sent after it is answered first', async () => {
    const { f, alice, space, c } = await start();
    const read = space.grant(alice, '/space/read');
    const order: string[] = [];
    const track = (name: string, reply: Promise<Reply>) =>
      reply.then((r) => {
        order.push(name);
        return r;
      });
    const forwarded = [
      track('subscribe', c.request('subscribe', { spaces: [{ id: space.id, since: 0, ucan: read }] })),
      track('push', c.request('push', { space: space.id, ucan: space.grant(alice), changes: [change()] })),
      track('pull', c.request('pull', { spaces: [{ id: space.id, since: 0, ucan: read }] })),
      track(
        'invitation',
        c.request('invitation.create', {
          mailbox_id: alice.mailboxId,
          payload: 'p',
          server: 'peer.example.com',
        }),
      ),
    ];
    const ownPush = await track(
      'own push',
      c.request('push', { space: alice.personalSpaceId, changes: [change()] }),
    );
    expect(ownPush.result).toEqual({ ok: true, cursor: 1 });
    const ownPull = await track(
      'own pull',
      c.request('pull', { spaces: [{ id: alice.personalSpaceId, since: 0 }] }),
    );
    expect(ownPull.chunks.map((chunk) => chunk.name)).toEqual(['pull.begin', 'pull.record', 'pull.commit']);
    // Every forwarded call was started, in request order, and none has been answered yet.
    expect(f.started).toEqual(['subscribe', 'push', 'pull', 'invitation']);
    expect(order).toEqual(['own push', 'own pull']);
    f.answerAll();
    const [subscribed, pushed, pulled, invited] = await Promise.all(forwarded);
    expect(subscribed?.result).toEqual({ spaces: [{ id: space.id, cursor: 0, key_generation: 1 }] });
    expect(pushed?.result).toEqual({ ok: true, cursor: 77 });
    expect(pulled?.chunks.map((chunk) => chunk.name)).toEqual(['pull.begin']);
    expect(pulled?.result).toEqual({ _chunks: 1 });
    expect(invited?.result).toMatchObject({ id: 'forwarded' });
  });

  it('B8 a connection that closes while its forwarded subscribe waits keeps nothing and unsubscribes at the home', async () => {
    const { s, f, alice, space, c } = await start();
    void c.request('subscribe', {
      spaces: [{ id: space.id, since: 0, ucan: space.grant(alice, '/space/read') }],
    });
    await expect.poll(() => f.started).toEqual(['subscribe']);
    await c.close();
    await expect.poll(() => s.connectionIds()).toEqual([]);
    f.answerAll();
    await expect.poll(() => f.unsubscribed).toEqual([[space.id]]);
    expect(s.services.remote.subscribers('peer.example.com', space.id)).toEqual([]);
  });
});
