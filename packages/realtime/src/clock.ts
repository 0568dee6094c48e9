/** Time source for every timer in this package, injectable so tests can drive time. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** Opaque timer handle. */
export type TimerHandle = unknown;

export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
  clearTimeout: (handle: TimerHandle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
});

/** Node clamps longer delays to 1 ms; longer waits are split into steps of at most this. */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/**
 * Run `fn` once the clock reaches `at` (ms since epoch), never synchronously. Waits longer than a Node
 * timer can hold are chained. Returns a cancel function.
 */
export function scheduleAt(clock: Clock, at: number, fn: () => void): () => void {
  let handle: TimerHandle | undefined;
  const arm = (): void => {
    const delay = Math.max(0, at - clock.now());
    handle =
      delay > MAX_TIMER_DELAY_MS ? clock.setTimeout(arm, MAX_TIMER_DELAY_MS) : clock.setTimeout(fn, delay);
  };
  arm();
  return () => {
    if (handle !== undefined) clock.clearTimeout(handle);
    handle = undefined;
  };
}
