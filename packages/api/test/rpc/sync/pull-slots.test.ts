/** Pull slots on their own: the per-connection and per-user bounds behind RPC-PULL-1's rate_limited. */
import { RpcError } from '@less-sync/core';
import { describe, expect, it } from 'vitest';
import { PullSlots } from '../../../src/index.js';

const live = () => new AbortController().signal;

describe('pull slots', () => {
  it('RPC-PULL-1 a connection over its bound waits for a slot, then runs', async () => {
    const slots = new PullSlots({ maxPerConnection: 1, maxPerUser: 10, queueWaitMs: 10_000 });
    const first = await slots.acquire('c1', 'u1', live());
    let granted = false;
    const second = slots.acquire('c1', 'u1', live()).then((release) => {
      granted = true;
      return release;
    });
    // Another connection of the same user is not held up.
    const other = await slots.acquire('c2', 'u1', live());
    await Promise.resolve();
    expect(granted).toBe(false);
    first();
    const release = await second;
    expect(slots.running('c1', 'u1')).toEqual({ connection: 1, user: 2 });
    release();
    other();
    release(); // a second release is harmless
    expect(slots.running('c1', 'u1')).toEqual({ connection: 0, user: 0 });
  });

  it('RPC-PULL-1 a user over its bound across connections gets rate_limited after the wait', async () => {
    const slots = new PullSlots({ maxPerConnection: 5, maxPerUser: 2, queueWaitMs: 20 });
    await slots.acquire('c1', 'u1', live());
    await slots.acquire('c2', 'u1', live());
    const refused = await slots.acquire('c3', 'u1', live()).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RpcError);
    expect((refused as RpcError).code).toBe('rate_limited');
    expect((refused as RpcError).detail).toBe('too many concurrent pulls');
    // Another user is unaffected.
    await expect(slots.acquire('c4', 'u2', live())).resolves.toBeTypeOf('function');
  });

  it('RPC-PULL-1 a waiter whose connection closes leaves the queue', async () => {
    const slots = new PullSlots({ maxPerConnection: 1, maxPerUser: 1, queueWaitMs: 10_000 });
    const release = await slots.acquire('c1', 'u1', live());
    const closing = new AbortController();
    const waiting = slots.acquire('c1', 'u1', closing.signal);
    closing.abort(new Error('connection closed'));
    await expect(waiting).rejects.toThrow('connection closed');
    await expect(slots.acquire('c1', 'u1', AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone');
    release();
    expect(slots.running('c1', 'u1')).toEqual({ connection: 0, user: 0 });
    await expect(slots.acquire('c1', 'u1', live())).resolves.toBeTypeOf('function');
  });
});
