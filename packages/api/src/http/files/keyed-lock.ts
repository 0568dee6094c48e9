/**
 * One-at-a-time execution per key within this process. Uploads of the same file id are serialised so
 * the "is it recorded? write the blob, record it" sequence never interleaves: without it a losing
 * concurrent upload could replace the blob after the winner recorded its metadata. Idle keys are
 * dropped, so the map holds only keys with work in progress.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  /** Number of keys with work running or queued (for tests). */
  get size(): number {
    return this.tails.size;
  }

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
