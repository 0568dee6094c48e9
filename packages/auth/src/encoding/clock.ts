/** A clock returning milliseconds since the Unix epoch, like `Date.now`. Injected for tests. */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();

/** Whole Unix seconds (the "floor" rows of ENC-03). */
export function unixSeconds(nowMs: number): number {
  return Math.floor(nowMs / 1000);
}
