import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyedLock } from '@less-sync/api';
import { decodeCbor } from '@less-sync/core';
import { InMemoryBroker, PresenceRegistry, type Subscriber } from '@less-sync/realtime';
import { createLocalBlobStore, type LocalBlobStore } from '@less-sync/storage';
import { createTestStorage, type TestStorage } from '@less-sync/storage/testing';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_RATE_LIMITS } from '../../src/index.js';
import {
  HOURLY_MS,
  JobScheduler,
  longestWindowSeconds,
  maintenanceJobs,
  OrphanBlobSweep,
  PRESENCE_SWEEP_INTERVAL_MS,
} from '../../src/jobs/index.js';

const silent = pino({ level: 'silent' });
async function* bytes(text: string): AsyncGenerator<Uint8Array> {
  yield Buffer.from(text);
}

describe('R22 JobScheduler', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs each job one interval after start, never overlapping, and stop() waits for a running one', async () => {
    vi.useFakeTimers();
    const scheduler = new JobScheduler(silent);
    let runs = 0;
    let release: (() => void) | undefined;
    scheduler.start({
      name: 'slow',
      intervalMs: 1000,
      run: () => {
        runs++;
        return new Promise<void>((resolve) => {
          release = resolve;
        });
      },
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(runs).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toBe(1);
    await vi.advanceTimersByTimeAsync(5000);
    expect(runs).toBe(1); // still running: no overlap
    release?.();
    await vi.advanceTimersByTimeAsync(1000);
    expect(runs).toBe(2);
    const stopped = scheduler.stop();
    release?.();
    await stopped;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(runs).toBe(2);
    scheduler.start({ name: 'late', intervalMs: 1, run: async () => void runs++ });
    await vi.advanceTimersByTimeAsync(10);
    expect(runs).toBe(2);
  });

  it('a failing job is logged and keeps its schedule', async () => {
    vi.useFakeTimers();
    const warnings: string[] = [];
    const scheduler = new JobScheduler({
      warn: (_f: unknown, m?: string) => warnings.push(String(m)),
      debug: () => {},
    } as never);
    let runs = 0;
    scheduler.start({
      name: 'failing',
      intervalMs: 100,
      run: async () => {
        runs++;
        throw new Error('nope');
      },
    });
    await vi.advanceTimersByTimeAsync(350);
    expect(runs).toBe(3);
    expect(warnings).toEqual(['job failed', 'job failed', 'job failed']);
    await scheduler.stop();
  });
});

describe('R22 BOOT-03 BOOT-04 maintenance jobs', () => {
  let t: TestStorage;
  let dir: string;
  let blobs: LocalBlobStore;
  beforeEach(async () => {
    t = await createTestStorage();
    dir = await mkdtemp(join(tmpdir(), 'less-sync-jobs-'));
    blobs = await createLocalBlobStore({ root: dir });
  });
  afterEach(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  function jobs(extra: { presence?: PresenceRegistry; broker?: InMemoryBroker; lock?: KeyedLock } = {}) {
    return maintenanceJobs({
      storage: t.storage,
      broker: extra.broker ?? new InMemoryBroker(),
      presence: extra.presence ?? new PresenceRegistry(),
      blobs,
      uploadLock: extra.lock ?? new KeyedLock(),
      rateLimits: DEFAULT_RATE_LIMITS,
      logger: silent,
    });
  }
  const job = (list: ReturnType<typeof jobs>, name: string) => {
    const found = list.find((j) => j.name === name);
    if (!found) throw new Error(`no job ${name}`);
    return found;
  };
  const signal = new AbortController().signal;

  it('BOOT-03 R22 the schedule: presence every 15 s, the rest hourly; no blob sweep without file storage', () => {
    const list = jobs();
    expect(list.map((j) => [j.name, j.intervalMs])).toEqual([
      ['presence-sweep', PRESENCE_SWEEP_INTERVAL_MS],
      ['invitation-purge', HOURLY_MS],
      ['rate-limit-cleanup', HOURLY_MS],
      ['orphan-blob-sweep', HOURLY_MS],
    ]);
    const none = maintenanceJobs({
      storage: t.storage,
      broker: new InMemoryBroker(),
      presence: new PresenceRegistry(),
      blobs: undefined,
      uploadLock: new KeyedLock(),
      rateLimits: DEFAULT_RATE_LIMITS,
      logger: silent,
    });
    expect(none.map((j) => j.name)).not.toContain('orphan-blob-sweep');
  });

  it('BOOT-03 the presence sweep drops stale entries and tells every subscriber', async () => {
    let now = 1_000_000;
    const presence = new PresenceRegistry({ clock: { now: () => now } });
    const broker = new InMemoryBroker();
    const space = randomUUID();
    const frames: Uint8Array[] = [];
    const subscriber: Subscriber = {
      send: (p) => frames.push(p) > 0,
      excludeId: 'watcher',
      mailboxId: 'm',
      isClosed: () => false,
    };
    await broker.register(subscriber, [space]);
    presence.set(space, 'conn-1', new Uint8Array([1]));
    now += 46_000;
    await job(jobs({ presence, broker }), 'presence-sweep').run(signal);
    expect(frames).toHaveLength(1);
    const frame = decodeCbor(frames[0] as Uint8Array) as {
      method: string;
      params: { space: string; peer: string };
    };
    expect(frame.method).toBe('presence.leave');
    expect(frame.params).toEqual({ space, peer: presence.pseudonym('conn-1', space) });
  });

  it('BOOT-04 the invitation purge deletes expired invitations only', async () => {
    const mailbox = 'a'.repeat(64);
    const keep = await t.storage.createInvitation({ mailboxId: mailbox, payload: new Uint8Array([1]) });
    const old = await t.storage.createInvitation({ mailboxId: mailbox, payload: new Uint8Array([2]) });
    await t.executor.query(`UPDATE invitations SET expires_at = now() - interval '1 minute' WHERE id = $1`, [
      old.id,
    ]);
    await job(jobs(), 'invitation-purge').run(signal);
    const ids = (await t.storage.listInvitations(mailbox, 10)).map((i) => i.id);
    expect(ids).toEqual([keep.id]);
  });

  it('BOOT-04 the rate-limit cleanup keeps rows inside the longest configured window', async () => {
    expect(longestWindowSeconds(DEFAULT_RATE_LIMITS)).toBe(3600);
    expect(
      longestWindowSeconds({ ...DEFAULT_RATE_LIMITS, spaceCreate: { max: 1, windowSeconds: 7200 } }),
    ).toBe(7200);
    const actor = 'b'.repeat(64);
    await t.storage.recordAction('invitation', actor);
    await t.storage.recordAction('invitation', actor);
    await t.executor.query(
      `UPDATE rate_limit_actions SET created_at = now() - interval '2 hours' WHERE ctid IN (SELECT ctid FROM rate_limit_actions LIMIT 1)`,
    );
    await job(jobs(), 'rate-limit-cleanup').run(signal);
    const rows = await t.executor.query<{ n: string }>('SELECT count(*) AS n FROM rate_limit_actions');
    expect(Number(rows.rows[0]?.n)).toBe(1);
  });

  it('R22 the orphan sweep deletes a blob orphaned on two consecutive runs, never a recorded one', async () => {
    const space = randomUUID();
    await t.storage.getOrCreateSpace(space, 'client');
    const record = randomUUID();
    await t.storage.push(space, [{ id: record, blob: new Uint8Array([1]), cursor: 0 }]);
    const live = randomUUID();
    await blobs.put(`spaces/${space}/files/${live}`, bytes('live'), { size: 4, maxBytes: 10 });
    await t.storage.recordFile(space, live, record, 4, new Uint8Array(44));
    const orphan = randomUUID();
    await blobs.put(`spaces/${space}/files/${orphan}`, bytes('orph'), { size: 4, maxBytes: 10 });
    await blobs.put('other/key', bytes('x'), { size: 1, maxBytes: 10 });

    const sweep = new OrphanBlobSweep({ storage: t.storage, blobs, lock: new KeyedLock() });
    expect(await sweep.run()).toEqual({ scanned: 2, suspected: 1, deleted: 0 });
    expect(await blobs.exists(`spaces/${space}/files/${orphan}`)).toBe(true);
    expect(await sweep.run()).toEqual({ scanned: 2, suspected: 0, deleted: 1 });
    expect(await blobs.exists(`spaces/${space}/files/${orphan}`)).toBe(false);
    expect(await blobs.exists(`spaces/${space}/files/${live}`)).toBe(true);
    expect(await blobs.exists('other/key')).toBe(true);
  });

  it('R22 a suspected orphan that got recorded meanwhile survives (re-checked under the upload lock)', async () => {
    const space = randomUUID();
    await t.storage.getOrCreateSpace(space, 'client');
    const record = randomUUID();
    await t.storage.push(space, [{ id: record, blob: new Uint8Array([1]), cursor: 0 }]);
    const file = randomUUID();
    const key = `spaces/${space}/files/${file}`;
    await blobs.put(key, bytes('late'), { size: 4, maxBytes: 10 });
    const lock = new KeyedLock();
    const sweep = new OrphanBlobSweep({ storage: t.storage, blobs, lock });
    await sweep.run();
    // An upload holding the lock records its metadata while the sweep waits for the same key.
    let recorded = false;
    const upload = lock.run(key, async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      await t.storage.recordFile(space, file, record, 4, new Uint8Array(44));
      recorded = true;
    });
    // The orphan query may run before the record exists; the deletion re-checks inside the lock.
    const result = await sweep.run();
    await upload;
    expect(recorded).toBe(true);
    expect(await blobs.exists(key)).toBe(true);
    expect(result.deleted).toBe(0);
  });

  it('R22 the sweep job stops early when aborted and respects its per-run caps', async () => {
    const space = randomUUID();
    for (let i = 0; i < 3; i++) {
      await blobs.put(`spaces/${space}/files/${randomUUID()}`, bytes('x'), { size: 1, maxBytes: 10 });
    }
    const capped = new OrphanBlobSweep({
      storage: t.storage,
      blobs,
      lock: new KeyedLock(),
      maxDeletesPerRun: 1,
    });
    await capped.run();
    expect((await capped.run()).deleted).toBe(1);
    const forgetful = new OrphanBlobSweep({
      storage: t.storage,
      blobs,
      lock: new KeyedLock(),
      maxSuspects: 1,
    });
    expect((await forgetful.run()).suspected).toBe(1);
    expect((await forgetful.run()).deleted).toBe(1);
    const aborted = new AbortController();
    aborted.abort();
    expect(
      await new OrphanBlobSweep({ storage: t.storage, blobs, lock: new KeyedLock() }).run(aborted.signal),
    ).toEqual({
      scanned: 0,
      suspected: 0,
      deleted: 0,
    });
    await job(jobs(), 'orphan-blob-sweep').run(signal);
  });
});
