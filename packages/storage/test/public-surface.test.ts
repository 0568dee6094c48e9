import { describe, expect, it } from 'vitest';

function countsByKind(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

describe('@less-sync/storage public surface', () => {
  it('has no side effects on import (no timers, sockets or handles left behind)', async () => {
    const before = countsByKind();
    await import('../src/index.js');
    await new Promise((resolve) => setImmediate(resolve));
    const grown = [...countsByKind()].filter(([kind, n]) => n > (before.get(kind) ?? 0));
    expect(grown).toEqual([]);
  });
});
