import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import {
  type FileHandle,
  link,
  mkdir,
  open,
  opendir,
  realpath,
  rename,
  rm,
  stat,
  unlink,
} from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { validateBlobKey, validateBlobPrefix } from './keys.js';
import { checkDeclaredSize, exactSize } from './limit.js';
import { BlobError, type BlobObject, type BlobStore, type PutOptions, type PutOutcome } from './types.js';

const TEMP_PREFIX = '.tmp-';
const NOFOLLOW = constants.O_NOFOLLOW ?? 0;

const errno = (error: unknown) => (error as NodeJS.ErrnoException | null)?.code;

function backend(action: string, key: string, error: unknown): BlobError {
  if (error instanceof BlobError) return error;
  return new BlobError('backend', `cannot ${action} blob ${key}: ${(error as Error).message}`, {
    cause: error,
  });
}

/** Makes a rename/link durable: fsync the directory that holds the new entry (best effort). */
async function syncDir(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, constants.O_RDONLY);
    await handle.sync();
  } catch {
    // Some platforms cannot fsync a directory; the data itself was synced already.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

export interface LocalBlobStoreOptions {
  /** Root directory; created recursively. Blob path = root + key (FILES-12). */
  root: string;
}

/**
 * Blobs as files under a root directory. Writes go to a hidden temp file in the target directory,
 * are fsynced, then linked (create-only) or renamed (overwrite) into place, so a blob is never
 * visible half-written. Keys are validated and the resolved path must stay under the root (also
 * through symlinked directories).
 */
export class LocalBlobStore implements BlobStore {
  readonly kind = 'local';
  private constructor(readonly root: string) {}

  static async open(options: LocalBlobStoreOptions): Promise<LocalBlobStore> {
    await mkdir(options.root, { recursive: true });
    return new LocalBlobStore(await realpath(options.root));
  }

  private inside(path: string): boolean {
    return path === this.root || path.startsWith(this.root + sep);
  }

  /** The file path for `key`, or undefined when its directory does not exist (and `create` is off). */
  private async pathFor(key: string, create: boolean): Promise<string | undefined> {
    validateBlobKey(key);
    const lexical = resolve(this.root, ...key.split('/'));
    if (!this.inside(lexical) || lexical === this.root) {
      throw new BlobError('invalid_key', `blob key ${key} leaves the store root`);
    }
    if (create) await mkdir(dirname(lexical), { recursive: true });
    let parent: string;
    try {
      parent = await realpath(dirname(lexical));
    } catch (error) {
      if (errno(error) === 'ENOENT' || errno(error) === 'ENOTDIR') return undefined;
      throw error;
    }
    if (!this.inside(parent)) throw new BlobError('invalid_key', `blob key ${key} leaves the store root`);
    return join(parent, basename(lexical));
  }

  async put(key: string, body: AsyncIterable<Uint8Array>, options: PutOptions): Promise<PutOutcome> {
    validateBlobKey(key);
    checkDeclaredSize(options);
    let target: string;
    try {
      target = (await this.pathFor(key, true)) as string;
    } catch (error) {
      throw backend('store', key, error);
    }
    if (!options.overwrite && (await this.exists(key))) return 'exists';
    const temp = join(dirname(target), `${TEMP_PREFIX}${randomBytes(12).toString('hex')}`);
    let handle: FileHandle | undefined;
    try {
      handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NOFOLLOW, 0o600);
      for await (const chunk of exactSize(body, options)) {
        let offset = 0;
        while (offset < chunk.byteLength) {
          offset += (await handle.write(chunk, offset, chunk.byteLength - offset)).bytesWritten;
        }
      }
      await handle.sync();
      await handle.close();
      handle = undefined;
      let outcome: PutOutcome = 'created';
      if (options.overwrite) {
        await rename(temp, target);
      } else {
        // link() fails if the name exists: of two concurrent writers exactly one creates it.
        try {
          await link(temp, target);
        } catch (error) {
          if (errno(error) !== 'EEXIST') throw error;
          outcome = 'exists';
        }
        await unlink(temp);
      }
      await syncDir(dirname(target));
      return outcome;
    } catch (error) {
      await handle?.close().catch(() => undefined);
      await rm(temp, { force: true }).catch(() => undefined);
      throw backend('store', key, error);
    }
  }

  async get(key: string): Promise<BlobObject | undefined> {
    const path = await this.pathFor(key, false);
    if (!path) return undefined;
    let handle: FileHandle;
    try {
      handle = await open(path, constants.O_RDONLY | NOFOLLOW);
    } catch (error) {
      if (['ENOENT', 'ELOOP', 'EISDIR', 'ENOTDIR'].includes(errno(error) ?? '')) return undefined;
      throw backend('read', key, error);
    }
    const info = await handle.stat();
    if (!info.isFile()) {
      await handle.close();
      return undefined;
    }
    return { size: info.size, body: handle.createReadStream() };
  }

  async head(key: string): Promise<{ size: number } | undefined> {
    const path = await this.pathFor(key, false);
    if (!path) return undefined;
    try {
      const info = await stat(path);
      return info.isFile() ? { size: info.size } : undefined;
    } catch (error) {
      if (errno(error) === 'ENOENT' || errno(error) === 'ENOTDIR') return undefined;
      throw backend('read', key, error);
    }
  }

  async exists(key: string): Promise<boolean> {
    return (await this.head(key)) !== undefined;
  }

  async delete(key: string): Promise<void> {
    const path = await this.pathFor(key, false);
    if (!path) return;
    try {
      await unlink(path);
    } catch (error) {
      if (errno(error) !== 'ENOENT') throw backend('delete', key, error);
    }
  }

  async *list(prefix = ''): AsyncGenerator<string> {
    validateBlobPrefix(prefix);
    const base = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    yield* this.walk(base, prefix);
  }

  private async *walk(relative: string, prefix: string): AsyncGenerator<string> {
    let dir: Awaited<ReturnType<typeof opendir>>;
    try {
      dir = await opendir(relative ? join(this.root, ...relative.split('/')) : this.root);
    } catch (error) {
      if (errno(error) === 'ENOENT' || errno(error) === 'ENOTDIR') return;
      throw error;
    }
    for await (const entry of dir) {
      if (entry.name.startsWith('.')) continue; // temp files
      const key = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (prefix.startsWith(`${key}/`) || key.startsWith(prefix)) yield* this.walk(key, prefix);
      } else if (entry.isFile() && key.startsWith(prefix)) {
        yield key;
      }
    }
  }

  /** Removes temp files older than `olderThanMs` left by writers that crashed. Returns how many. */
  async removeStaleTemp(olderThanMs: number, relative = ''): Promise<number> {
    let removed = 0;
    let dir: Awaited<ReturnType<typeof opendir>>;
    try {
      dir = await opendir(relative ? join(this.root, ...relative.split('/')) : this.root);
    } catch {
      return 0;
    }
    for await (const entry of dir) {
      const rel = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) removed += await this.removeStaleTemp(olderThanMs, rel);
      else if (entry.name.startsWith(TEMP_PREFIX)) {
        const path = join(this.root, ...rel.split('/'));
        const info = await stat(path).catch(() => undefined);
        if (info && Date.now() - info.mtimeMs > olderThanMs) {
          await rm(path, { force: true });
          removed++;
        }
      }
    }
    return removed;
  }
}

/** Opens (creating) a local blob store at `root`. */
export function createLocalBlobStore(options: LocalBlobStoreOptions): Promise<LocalBlobStore> {
  return LocalBlobStore.open(options);
}
