import { describe, expect, it } from 'vitest';

describe('@less-sync/realtime public surface', () => {
  it('has no side effects on import (no timers, sockets or handles left behind)', async () => {
    const before = process.getActiveResourcesInfo().length;
    const mod = await import('../src/index.js');
    expect(typeof mod).toBe('object');
    expect(process.getActiveResourcesInfo().length).toBe(before);
  });
});
