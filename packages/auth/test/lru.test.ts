import { describe, expect, it } from 'vitest';
import { TtlLru } from '../src/index.js';

describe('TtlLru', () => {
  it('evicts the least recently used entry beyond its bound', () => {
    const lru = new TtlLru<string, number>(2);
    lru.set('a', 1, 100);
    lru.set('b', 2, 100);
    expect(lru.get('a', 0)).toBe(1);
    lru.set('c', 3, 100);
    expect(lru.get('b', 0)).toBeUndefined();
    expect(lru.get('a', 0)).toBe(1);
    expect(lru.size).toBe(2);
    lru.clear();
    expect(lru.size).toBe(0);
  });

  it('expires entries at their deadline and stores nothing with a zero bound', () => {
    const lru = new TtlLru<string, number>(4);
    lru.set('a', 1, 100);
    expect(lru.get('a', 99)).toBe(1);
    expect(lru.get('a', 100)).toBeUndefined();
    expect(lru.size).toBe(0);
    const none = new TtlLru<string, number>(0);
    none.set('a', 1, 100);
    expect(none.get('a', 0)).toBeUndefined();
  });
});
