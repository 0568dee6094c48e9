import { describe, expect, it, vi } from 'vitest';
import { decodeMessage, encodeMessage } from '../../src/cluster/messages.js';
import { HintOutbox } from '../../src/cluster/outbox.js';
import type { ClusterTransport } from '../../src/transports/types.js';

/** A transport that refuses while `down` and records what it accepted. */
function flaky() {
  const sent: string[] = [];
  const state = { down: false };
  const transport: ClusterTransport = {
    kind: 'memory',
    maxMessageBytes: 1024,
    start: async () => {},
    publish: async (body) => {
      if (state.down) throw new Error('down');
      sent.push(body);
    },
    health: () => ({ kind: 'memory', state: state.down ? 'degraded' : 'ok' }),
    close: async () => {},
  };
  return { sent, state, transport };
}

const hint = (space: string, c: number) =>
  encodeMessage({ t: 's', o: 'A', s: space, k: 'sync', x: '', c, p: 'AA==' });

describe('HintOutbox', () => {
  it('sends hints in order', async () => {
    const { sent, transport } = flaky();
    const outbox = new HintOutbox(transport, () => {});
    outbox.send(hint('s1', 1));
    outbox.send(hint('s1', 2));
    await outbox.close();
    expect(sent.map((b) => decodeMessage(b))).toMatchObject([{ c: 1 }, { c: 2 }]);
  });

  it('folds failed hints into one cursor-only hint per space with the highest cursor and retries', async () => {
    const { sent, state, transport } = flaky();
    const errors: unknown[] = [];
    const outbox = new HintOutbox(transport, (e) => errors.push(e));
    state.down = true;
    outbox.send(hint('s1', 1), 's1', 1);
    outbox.send(hint('s1', 3), 's1', 3);
    outbox.send(hint('s1', 2), 's1', 2);
    outbox.send(hint('s2', 5), 's2', 5);
    outbox.send(encodeMessage({ t: 'm', o: 'A', m: 'mb', p: '' }));
    await vi.waitFor(() => expect(errors).toHaveLength(5));
    state.down = false;
    outbox.flush();
    await vi.waitFor(() => expect(sent).toHaveLength(2));
    const decoded = sent.map((b) => decodeMessage(b));
    expect(decoded).toEqual([
      { t: 's', o: 'A', s: 's1', k: 'sync', x: '', c: 3 },
      { t: 's', o: 'A', s: 's2', k: 'sync', x: '', c: 5 },
    ]);
    await outbox.close();
  });

  it('retries held cursor hints on its own timer until the transport takes them', async () => {
    const { sent, state, transport } = flaky();
    const outbox = new HintOutbox(transport, () => {});
    state.down = true;
    outbox.sendCursor('s1', 'sync', 4, 'A');
    outbox.sendCursor('s1', 'sync', 2, 'A');
    await new Promise<void>((r) => setImmediate(r));
    state.down = false;
    await vi.waitFor(() => expect(sent).toHaveLength(1), { timeout: 10_000 });
    expect(decodeMessage(sent[0] as string)).toEqual({ t: 's', o: 'A', s: 's1', k: 'sync', x: '', c: 4 });
    await outbox.close();
  });

  it('drops everything after close', async () => {
    const { sent, transport } = flaky();
    const outbox = new HintOutbox(transport, () => {});
    await outbox.close();
    outbox.send(hint('s1', 1), 's1', 1);
    outbox.sendCursor('s1', 'sync', 1, 'A');
    outbox.flush();
    await new Promise<void>((r) => setImmediate(r));
    expect(sent).toEqual([]);
  });

  it('beyond the in-flight bound, cursor hints are coalesced and ephemeral ones dropped', async () => {
    const { sent, transport } = flaky();
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const slow: ClusterTransport = {
      ...transport,
      publish: async (b) => gate.then(() => transport.publish(b)),
    };
    const outbox = new HintOutbox(slow, () => {});
    for (let i = 1; i <= 1000; i++) outbox.send(encodeMessage({ t: 'm', o: 'A', m: 'mb', p: String(i) }));
    outbox.send(encodeMessage({ t: 'm', o: 'A', m: 'mb', p: 'dropped' }));
    outbox.send(hint('s9', 7), 's9', 7);
    outbox.send(hint('s9', 8), 's9', 8);
    release();
    await vi.waitFor(() => expect(sent).toHaveLength(1001), { timeout: 20_000 });
    expect(sent.some((b) => b.includes('dropped'))).toBe(false);
    expect(decodeMessage(sent[1000] as string)).toEqual({ t: 's', o: 'A', s: 's9', k: 'sync', x: '', c: 8 });
    await outbox.close();
  });
});
