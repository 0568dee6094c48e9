import type { ClusterTransport, TransportHandlers, TransportHealth } from '../types.js';

/**
 * In-process bus: every transport attached to the same bus receives every hint. With one process (the
 * embedded database) a bus with a single member is a no-op; tests attach several to model instances and
 * can cut one off to exercise catch-up.
 */
export class MemoryBus {
  readonly members = new Set<MemoryTransport>();

  deliver(body: string): void {
    for (const member of this.members) member.receive(body);
  }
}

export class MemoryTransport implements ClusterTransport {
  readonly kind = 'memory' as const;
  readonly maxMessageBytes = 64 * 1024;
  private handlers: TransportHandlers | undefined;
  private connected = false;
  private closed = false;

  constructor(private readonly bus: MemoryBus = new MemoryBus()) {}

  async start(handlers: TransportHandlers): Promise<void> {
    this.handlers = handlers;
    this.connected = true;
    this.bus.members.add(this);
  }

  async publish(body: string): Promise<void> {
    if (!this.connected) throw new Error('memory transport disconnected');
    // Asynchronous like a real bus, so callers never depend on synchronous re-entry.
    queueMicrotask(() => this.bus.deliver(body));
  }

  receive(body: string): void {
    if (this.connected) this.handlers?.message(body);
  }

  /** Tests: drop off the bus (hints are lost meanwhile) and come back. */
  disconnect(): void {
    this.connected = false;
    this.handlers?.stateChanged?.(this.health());
  }

  reconnect(): void {
    if (this.closed) return;
    this.connected = true;
    this.handlers?.stateChanged?.(this.health());
    this.handlers?.resumed();
  }

  health(): TransportHealth {
    if (this.closed) return { kind: 'memory', state: 'closed' };
    return this.connected ? { kind: 'memory', state: 'ok' } : { kind: 'memory', state: 'degraded' };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.connected = false;
    this.bus.members.delete(this);
  }
}
