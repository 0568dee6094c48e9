/** The pull read gate on its own (no database): the write reserve depends on it. */
import { describe, expect, it } from 'vitest';
import { ReadGate } from '../../src/stores/read-gate.js';
import { expectKind } from './helpers.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('read gate', () => {
  it('STORE-PULL-05 runs at most `permits` reads at once and hands turns out in order', async () => {
    const gate = new ReadGate(2, 10_000);
    const holds = [deferred(), deferred(), deferred()];
    const order: number[] = [];
    const runs = holds.map((hold, i) =>
      gate.run(async () => {
        order.push(i);
        await hold.promise;
      }),
    );
    await Promise.resolve();
    expect(gate.active).toBe(2);
    expect(order).toEqual([0, 1]);
    holds[0]?.resolve();
    await runs[0];
    await Promise.resolve();
    expect(order).toEqual([0, 1, 2]);
    holds[1]?.resolve();
    holds[2]?.resolve();
    await Promise.all(runs);
    expect(gate.active).toBe(0);
  });

  it('STORE-PULL-05 a read that waits too long fails with Unavailable and frees its place', async () => {
    const gate = new ReadGate(1, 20);
    const hold = deferred();
    const first = gate.run(() => hold.promise);
    const error = await expectKind(
      gate.run(async () => 'never'),
      'Unavailable',
    );
    expect(error.message).toBe('storage unavailable: too many concurrent pull reads');
    hold.resolve();
    await first;
    await expect(gate.run(async () => 'ok')).resolves.toBe('ok');
  });

  it('STORE-PULL-05 zero permits means unbounded; a failing read still releases its permit', async () => {
    const open = new ReadGate(0, 10);
    await Promise.all(Array.from({ length: 5 }, () => open.run(async () => undefined)));
    const gate = new ReadGate(1, 1_000);
    await expect(gate.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(gate.active).toBe(0);
  });
});
