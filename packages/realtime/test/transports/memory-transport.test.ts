import { describe, expect, it, vi } from 'vitest';
import { MemoryBus, MemoryTransport, type TransportHealth } from '../../src/index.js';

describe('MemoryTransport', () => {
  it('delivers every hint to every member of the bus, asynchronously', async () => {
    const bus = new MemoryBus();
    const a = new MemoryTransport(bus);
    const b = new MemoryTransport(bus);
    const got: string[] = [];
    await a.start({ message: (m) => got.push(`a:${m}`), resumed: () => {} });
    await b.start({ message: (m) => got.push(`b:${m}`), resumed: () => {} });
    const sent = a.publish('one');
    expect(got).toEqual([]);
    await sent;
    await vi.waitFor(() => expect(got.sort()).toEqual(['a:one', 'b:one']));
  });

  it('loses hints while disconnected, refuses to publish, and reports resumed on reconnect', async () => {
    const bus = new MemoryBus();
    const a = new MemoryTransport(bus);
    const b = new MemoryTransport(bus);
    const got: string[] = [];
    const states: TransportHealth['state'][] = [];
    let resumed = 0;
    await a.start({ message: () => {}, resumed: () => {} });
    await b.start({
      message: (m) => got.push(m),
      resumed: () => void resumed++,
      stateChanged: (h) => states.push(h.state),
    });
    b.disconnect();
    await expect(b.publish('x')).rejects.toThrow(/disconnected/);
    await a.publish('lost');
    await new Promise<void>((r) => queueMicrotask(r));
    b.reconnect();
    await a.publish('seen');
    await vi.waitFor(() => expect(got).toEqual(['seen']));
    expect(states).toEqual(['degraded', 'ok']);
    expect(resumed).toBe(1);
    await b.close();
    expect(b.health().state).toBe('closed');
    b.reconnect();
    expect(b.health().state).toBe('closed');
    expect(bus.members.has(b)).toBe(false);
  });
});
