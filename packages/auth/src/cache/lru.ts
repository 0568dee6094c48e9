/**
 * A bounded least-recently-used map whose entries also expire at a given time. Used for
 * verification results (a token's signature is checked once) and decoded keys. Bounded in entries,
 * so a flood of distinct tokens costs at most `maxEntries` slots, never unbounded memory.
 */
export class TtlLru<K, V> {
  private readonly entries = new Map<K, { value: V; expiresAtMs: number }>();

  constructor(readonly maxEntries: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: K, nowMs: number): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    if (entry.expiresAtMs <= nowMs) return undefined;
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: K, value: V, expiresAtMs: number): void {
    if (this.maxEntries <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAtMs });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}
