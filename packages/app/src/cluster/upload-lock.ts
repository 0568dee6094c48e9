import { KeyedLock } from '@less-sync/api';
import type { SqlExecutor } from '@less-sync/storage';

/**
 * The upload lock across instances: the in-process lock first (so one instance holds at most one database
 * session per key), then a session advisory lock on a dedicated connection for the duration of `fn`.
 */
export class AdvisoryKeyedLock extends KeyedLock {
  constructor(private readonly db: SqlExecutor) {
    super();
  }

  override run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return super.run(key, () =>
      this.db.withSession(async (session) => {
        await session.query(`SELECT pg_advisory_lock(hashtextextended('less_sync_upload:' || $1, 0))`, [key]);
        try {
          return await fn();
        } finally {
          await session.query(`SELECT pg_advisory_unlock(hashtextextended('less_sync_upload:' || $1, 0))`, [
            key,
          ]);
        }
      }),
    );
  }
}
