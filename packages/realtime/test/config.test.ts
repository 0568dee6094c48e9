import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CONNECTION_CONFIG,
  jitteredLifetime,
  resolveConnectionConfig,
  scheduleAt,
} from '../src/index.js';
import { ManualClock } from './support/manual-clock.js';

describe('connection config and timers', () => {
  it('WSPROTO-09 defaults: 5 s auth, 30 s keepalive, 1 h ±10% lifetime, 4 MiB, 64-frame queue', () => {
    expect(DEFAULT_CONNECTION_CONFIG).toMatchObject({
      authTimeoutMs: 5000,
      keepaliveIntervalMs: 30_000,
      maxLifetimeMs: 3_600_000,
      lifetimeJitter: 0.1,
      maxMessageBytes: 4 * 1024 * 1024,
      outboundQueueFrames: 64,
    });
    expect(resolveConnectionConfig()).toEqual(DEFAULT_CONNECTION_CONFIG);
  });

  it('refuses nonsensical settings', () => {
    expect(() => resolveConnectionConfig({ authTimeoutMs: -1 })).toThrow(RangeError);
    expect(() => resolveConnectionConfig({ maxLifetimeMs: Number.NaN })).toThrow(RangeError);
    expect(() => resolveConnectionConfig({ lifetimeJitter: 1 })).toThrow(RangeError);
    expect(() => resolveConnectionConfig({ outboundQueueFrames: 0 })).toThrow(RangeError);
    expect(() => resolveConnectionConfig({ broadcastReserveFrames: 64 })).toThrow(RangeError);
    expect(() => resolveConnectionConfig({ inboundQueueFrames: 0 })).toThrow(RangeError);
  });

  it('WS-LIFETIME-1 jittered lifetime spans [0.9, 1.1) × base', () => {
    const cfg = { maxLifetimeMs: 3_600_000, lifetimeJitter: 0.1 };
    expect(jitteredLifetime(cfg, () => 0)).toBeCloseTo(3_240_000);
    expect(jitteredLifetime(cfg, () => 0.5)).toBeCloseTo(3_600_000);
    expect(jitteredLifetime(cfg, () => 0.999999)).toBeLessThan(3_960_000);
  });

  it('R8 scheduleAt chains waits longer than a Node timer can hold and never fires early', () => {
    const clock = new ManualClock();
    let fired = 0;
    const farFuture = 40 * 24 * 3600 * 1000; // 40 days > 2^31-1 ms
    scheduleAt(clock, farFuture, () => fired++);
    expect(Math.max(...clock.delays)).toBeLessThanOrEqual(2 ** 31 - 1);
    clock.advance(farFuture - 1);
    expect(fired).toBe(0);
    clock.advance(1);
    expect(fired).toBe(1);
  });

  it('R8 scheduleAt in the past fires on the next tick, never synchronously; cancel stops it', () => {
    const clock = new ManualClock();
    clock.advance(1000);
    let fired = 0;
    scheduleAt(clock, 10, () => fired++);
    expect(fired).toBe(0);
    clock.advance(0);
    expect(fired).toBe(1);
    const cancel = scheduleAt(clock, 5000, () => fired++);
    cancel();
    cancel();
    clock.advance(10_000);
    expect(fired).toBe(1);
    expect(clock.pending).toBe(0);
  });
});
