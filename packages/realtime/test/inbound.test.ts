import { describe, expect, it } from 'vitest';
import { InboundQueue, toBytes } from '../src/connection/inbound.js';

class Source {
  isPaused = false;
  pauses = 0;
  pause() {
    this.isPaused = true;
    this.pauses++;
  }
  resume() {
    this.isPaused = false;
  }
}

const frame = (n: number) => ({ data: new Uint8Array(n), isBinary: true });

describe('InboundQueue (bounded pre-auth and post-auth queue)', () => {
  it('WS-AUTH-1 pauses reading at the frame limit and resumes once drained below it', () => {
    const source = new Source();
    const q = new InboundQueue(source, 3, 1000);
    q.push(frame(1));
    q.push(frame(1));
    expect(source.isPaused).toBe(false);
    q.push(frame(1));
    expect(source.isPaused).toBe(true);
    q.push(frame(1)); // already paused: no second pause
    expect(source.pauses).toBe(1);
    q.shift();
    expect(source.isPaused).toBe(true);
    q.shift();
    expect(source.isPaused).toBe(false);
    expect(q.length).toBe(2);
  });

  it('WS-UPGRADE-2 pauses on the byte limit too; clear empties it', () => {
    const source = new Source();
    const q = new InboundQueue(source, 100, 10);
    q.push(frame(11));
    expect(source.isPaused).toBe(true);
    expect(q.shift()?.data.length).toBe(11);
    expect(source.isPaused).toBe(false);
    expect(q.shift()).toBeUndefined();
    q.push(frame(1));
    q.clear();
    expect(q.length).toBe(0);
  });

  it('WS-CLOSE-1 clear resumes a paused source, so a closing socket still reads the peer Close reply', () => {
    const source = new Source();
    const q = new InboundQueue(source, 2, 1000);
    q.push(frame(1));
    q.push(frame(1));
    expect(source.isPaused).toBe(true);
    q.clear();
    expect(source.isPaused).toBe(false);
    expect(q.length).toBe(0);
  });

  it('normalises every ws RawData shape to bytes', () => {
    expect(toBytes(Buffer.from([1, 2]))).toEqual(Buffer.from([1, 2]));
    expect([...toBytes([Buffer.from([1]), Buffer.from([2])])]).toEqual([1, 2]);
    expect([...toBytes(Uint8Array.of(3).buffer)]).toEqual([3]);
  });
});
