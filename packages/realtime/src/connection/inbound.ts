import type { RawData } from 'ws';

export interface InboundFrame {
  readonly data: Uint8Array;
  readonly isBinary: boolean;
}

/** The parts of the socket the queue steers. */
export interface PausableSource {
  readonly isPaused: boolean;
  pause(): void;
  resume(): void;
}

export function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}

/**
 * Frames received but not yet handled, pre-auth ones included. Bounded by backpressure: reading pauses
 * while the queue holds `maxFrames` frames or `maxBytes` bytes and resumes once it drains below them.
 */
export class InboundQueue {
  private readonly items: InboundFrame[] = [];
  private bytes = 0;

  constructor(
    private readonly source: PausableSource,
    private readonly maxFrames: number,
    private readonly maxBytes: number,
  ) {}

  get length(): number {
    return this.items.length;
  }

  push(frame: InboundFrame): void {
    this.items.push(frame);
    this.bytes += frame.data.length;
    if (!this.source.isPaused && (this.items.length >= this.maxFrames || this.bytes >= this.maxBytes)) {
      this.source.pause();
    }
  }

  shift(): InboundFrame | undefined {
    const frame = this.items.shift();
    if (frame === undefined) return undefined;
    this.bytes -= frame.data.length;
    if (this.source.isPaused && this.items.length < this.maxFrames && this.bytes < this.maxBytes) {
      this.source.resume();
    }
    return frame;
  }

  /**
   * Drop everything queued and read again: after a close the socket must keep reading, or the peer's
   * Close reply is never seen and the close handshake hangs until the terminate timer.
   */
  clear(): void {
    this.items.length = 0;
    this.bytes = 0;
    if (this.source.isPaused) this.source.resume();
  }
}
