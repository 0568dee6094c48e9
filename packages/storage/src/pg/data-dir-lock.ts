import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DatabaseConfigError } from './types.js';

/**
 * PGlite does not stop two processes from opening the same data directory, and two writers would
 * corrupt it. A sibling `<dataDir>.lock` file holding the owner's pid excludes a second process; a
 * lock left by a process that no longer exists is taken over. On Linux the file also records the
 * owner's boot id and start time: after a crash-restart in a container the same pid (often 1) belongs
 * to a new process, and a pid alone would keep the old lock forever.
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

/** `<boot id>:<start time in clock ticks>` of a process, or undefined where /proc cannot tell. */
async function processIdentity(pid: number): Promise<string | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at the state, field 3; starttime is 22.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const startTime = fields[19];
    const bootId = (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
    return startTime === undefined ? undefined : `${bootId}:${startTime}`;
  } catch {
    return undefined;
  }
}

/** Whether the lock's recorded owner is still the running process with that pid. */
async function ownerAlive(content: string): Promise<{ pid: number; alive: boolean }> {
  const [pidText = '', identity = ''] = content.split('\n');
  const pid = Number.parseInt(pidText, 10);
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return { pid, alive: false };
  if (identity === '') return { pid, alive: true };
  const current = await processIdentity(pid);
  return { pid, alive: current === undefined || current === identity };
}

export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const path = `${dataDir.replace(/[/\\]+$/, '')}.lock`;
  await mkdir(dirname(path), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(`${process.pid}\n${(await processIdentity(process.pid)) ?? ''}\n`);
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
    const owner = await ownerAlive(await readFile(path, 'utf8').catch(() => ''));
    if (owner.alive) {
      throw new DatabaseConfigError(
        'data_dir_locked',
        `embedded database ${dataDir} is in use by process ${owner.pid} (lock file ${path})`,
      );
    }
    await rm(path, { force: true }); // stale: its owner is gone (or the pid now belongs to another process)
  }
  throw new DatabaseConfigError('data_dir_locked', `could not lock embedded database ${dataDir} (${path})`);
}
