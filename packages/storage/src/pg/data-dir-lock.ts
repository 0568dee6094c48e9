import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DatabaseConfigError } from './types.js';

/**
 * PGlite does not stop two processes from opening the same data directory, and two writers would
 * corrupt it. A sibling `<dataDir>.lock` file holding the owner's pid excludes a second process; a
 * lock left by a process that no longer exists is taken over.
 */
export interface DataDirLock {
  readonly path: string;
  release(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const path = `${dataDir.replace(/[/\\]+$/, '')}.lock`;
  await mkdir(dirname(path), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      let released = false;
      return {
        path,
        async release() {
          if (released) return;
          released = true;
          await rm(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(owner) && owner > 0 && alive(owner)) {
      throw new DatabaseConfigError(
        'data_dir_locked',
        `embedded database ${dataDir} is in use by process ${owner} (lock file ${path})`,
      );
    }
    await rm(path, { force: true }); // stale: its owner is gone
  }
  throw new DatabaseConfigError('data_dir_locked', `could not lock embedded database ${dataDir} (${path})`);
}
