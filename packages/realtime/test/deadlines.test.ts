/** The endpoint's shared deadline heap behind WS-KEEPALIVE-1, WS-LIFETIME-1, R8 expiries and close timeouts. */
import { describe, expect, it } from 'vitest';
import { DeadlineQueue } from '../src/connection/deadlines.js';
import { ConnectionTimers } from '../src/connection/timers.js';
import { ManualClock } from './support/manual-clock.js';

describe('DeadlineQueue', () => {
  it('WS-KEEPALIVE-1 WS-LIFETIME-1 many deadlines share one clock timer and fire at their exact times, in order', () => {
    const clock = new ManualClock();
    const queue = new DeadlineQueue(clock);
    const fired: Array<[string, number]> = [];
    const times = [500, 100, 300, 100, 900, 200];
    for (const [i, at] of times.entries()) {
      queue.add(at, () => fired.push([`d${i}`, clock.now()]));
    }
    expect(clock.timers).toHaveLength(1);
    expect(queue.size).toBe(6);
    clock.advance(250);
    // Equal times fire in the order they were set.
    expect(fired).toEqual([
      ['d1', 100],
      ['d3', 100],
      ['d5', 200],
    ]);
    clock.advance(1000);
    expect(fired.map(([name]) => name)).toEqual(['d1', 'd3', 'd5', 'd2', 'd0', 'd4']);
    expect(fired.map(([, at]) => at)).toEqual([100, 100, 200, 300, 500, 900]);
    expect(queue.size).toBe(0);
    expect(clock.timers).toHaveLength(0);
  });

  it('WS-CLOSE-1 cancelled deadlines never fire; cancelling the last one drops the clock timer', () => {
    const clock = new ManualClock();
    const queue = new DeadlineQueue(clock);
    let fired = 0;
    const handles = Array.from({ length: 50 }, (_, i) => queue.add(1000 + ((i * 37) % 50), () => fired++));
    for (const handle of handles.filter((_, i) => i % 2 === 0)) queue.remove(handle);
    // Removing twice is harmless.
    queue.remove(handles[0]!);
    expect(queue.size).toBe(25);
    clock.advance(2000);
    expect(fired).toBe(25);
    const lone = queue.add(5000, () => fired++);
    queue.remove(lone);
    expect(clock.timers).toHaveLength(0);
    clock.advance(10_000);
    expect(fired).toBe(25);
  });

  it('R8 a deadline set from a firing callback waits for the next timer, even when already due', () => {
    const clock = new ManualClock();
    const queue = new DeadlineQueue(clock);
    const order: string[] = [];
    queue.add(10, () => {
      order.push('first');
      queue.add(0, () => order.push('past'));
      order.push('after add');
    });
    clock.advance(10);
    expect(order).toEqual(['first', 'after add', 'past']);
  });

  it('R8 an earlier deadline re-arms the timer; a throwing callback does not starve the rest', async () => {
    const clock = new ManualClock();
    const queue = new DeadlineQueue(clock);
    const fired: number[] = [];
    queue.add(1000, () => fired.push(1000));
    queue.add(10, () => {
      throw new Error('boom');
    });
    queue.add(20, () => fired.push(20));
    const errors: unknown[] = [];
    const original = globalThis.queueMicrotask;
    globalThis.queueMicrotask = (fn) =>
      original(() => {
        try {
          fn();
        } catch (err) {
          errors.push(err);
        }
      });
    try {
      clock.advance(2000);
      await Promise.resolve();
    } finally {
      globalThis.queueMicrotask = original;
    }
    expect(fired).toEqual([20, 1000]);
    expect(errors).toHaveLength(1);
  });

  it('WS-LIFETIME-1 connection timers replace their slot and clear all but one', () => {
    const clock = new ManualClock();
    const timers = new ConnectionTimers(new DeadlineQueue(clock));
    const fired: string[] = [];
    timers.after('keepalive', 100, () => fired.push('keepalive-old'));
    timers.after('keepalive', 200, () => fired.push('keepalive'));
    timers.at('lifetime', 300, () => fired.push('lifetime'));
    timers.after('terminate', 50, () => fired.push('terminate'));
    timers.after('auth', 10, () => fired.push('auth'));
    timers.clearAll('terminate');
    clock.advance(1000);
    expect(fired).toEqual(['terminate']);
    timers.after('expiry', 5, () => fired.push('expiry'));
    clock.advance(5);
    expect(fired).toEqual(['terminate', 'expiry']);
    expect(timers.now()).toBe(1005);
  });
});
