import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lockDataDir } from '../../src/pg/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'less-sync-lock-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const onLinux = process.platform === 'linux';

describe('R23 embedded database lock across crash-restarts', () => {
  it('R23 a live owner keeps the lock; release frees it', async () => {
    const data = join(dir, 'pglite');
    const lock = await lockDataDir(data);
    await expect(lockDataDir(data)).rejects.toMatchObject({ code: 'data_dir_locked' });
    await lock.release();
    const again = await lockDataDir(data);
    await again.release();
  });

  it.skipIf(!onLinux)(
    'R23 a lock whose pid now belongs to another process (container restart: pid 1 again) is taken over',
    async () => {
      const data = join(dir, 'pglite');
      // Our own (live) pid, but a start time no process of ours has: the previous container's pid 1.
      await writeFile(`${data}.lock`, `${process.pid}\nsome-old-boot:12345\n`);
      const lock = await lockDataDir(data);
      const content = await readFile(`${data}.lock`, 'utf8');
      expect(content.split('\n')[0]).toBe(String(process.pid));
      expect(content.split('\n')[1]).not.toBe('some-old-boot:12345');
      await lock.release();
    },
  );

  it('R23 a lock of a dead pid is stale; an old pid-only lock of a live pid still counts', async () => {
    const data = join(dir, 'pglite');
    await writeFile(`${data}.lock`, '2147483646\n');
    const lock = await lockDataDir(data);
    await lock.release();
    await writeFile(`${data}.lock`, `${process.pid}\n`);
    await expect(lockDataDir(data)).rejects.toMatchObject({ code: 'data_dir_locked' });
  });
});
