import type { Clock, TimerHandle } from '../../src/index.js';

/** A clock whose timers only fire when the test advances it; records every delay it was asked for. */
export class ManualClock implements Clock {
  private time = 0;
  private nextId = 1;
  timers: Array<{ at: number; fn: () => void; id: number }> = [];
  readonly delays: number[] = [];
  now(): number {
    return this.time;
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    this.delays.push(ms);
    const id = this.nextId++;
    this.timers.push({ at: this.time + ms, fn, id });
    return id;
  }
  clearTimeout(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = due.at;
      due.fn();
    }
    this.time = end;
  }
  /** Timers set and neither fired nor cleared. */
  get pending(): number {
    return this.timers.length;
  }
}
