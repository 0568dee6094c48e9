/**
 * Ephemeral rate limits (STORE-RATE-*, R12).
 *
 * `tryRecordAction` is the atomic form: a transaction-scoped advisory lock on (action, actor)
 * serialises concurrent attempts of one actor (a hash collision only serialises more), and the count and the insert run as one statement
 * after the lock, so concurrent callers can never exceed the limit.
 */
import { createHmac } from 'node:crypto';
import { type SqlBool, sql } from 'kysely';
import { guard, inTransaction, type StoreContext } from './context.js';
import type { RateLimitStore } from './interfaces.js';

/** First key of the two-key advisory lock space used for rate limits ("less" in ASCII). */
const LOCK_NAMESPACE = 0x6c657373;

/** HMAC-SHA256(key, issuer ‖ 0x00 ‖ userId) as 64 lowercase hex chars (STORE-RATE-01). */
export function rateLimitHash(key: Uint8Array, issuer: string, userId: string): string {
  return createHmac('sha256', key)
    .update(issuer)
    .update(new Uint8Array([0]))
    .update(userId)
    .digest('hex');
}

function seconds(date: Date): number {
  return date.getTime() / 1000;
}

export function rateLimitStore(ctx: StoreContext): RateLimitStore {
  const { db } = ctx;

  return {
    async countRecentActions(action, actorHash, since) {
      const row = await guard(() =>
        db
          .selectFrom('rate_limit_actions')
          .select((eb) => eb.fn.countAll<string | number>().as('n'))
          .where('action', '=', action)
          .where('actor_hash', '=', actorHash)
          .where(sql<SqlBool>`created_at > to_timestamp(${seconds(since)}::float8)`)
          .executeTakeFirstOrThrow(),
      );
      return Number(row.n);
    },

    async recordAction(action, actorHash) {
      await guard(() =>
        db.insertInto('rate_limit_actions').values({ action, actor_hash: actorHash }).execute(),
      );
    },

    async cleanupExpiredActions(before) {
      const result = await guard(() =>
        db
          .deleteFrom('rate_limit_actions')
          .where(sql<SqlBool>`created_at < to_timestamp(${seconds(before)}::float8)`)
          .executeTakeFirst(),
      );
      return Number(result.numDeletedRows);
    },

    async tryRecordAction({ action, actorHash, limit, windowSeconds }) {
      return inTransaction(ctx, async (trx) => {
        await sql`SELECT pg_advisory_xact_lock(${LOCK_NAMESPACE}::int, hashtext(${action} || '/' || ${actorHash}))`.execute(
          trx,
        );
        const result = await sql<{ n: string | number; inserted: boolean }>`
          WITH recent AS (
            SELECT count(*) AS n FROM rate_limit_actions
            WHERE action = ${action} AND actor_hash = ${actorHash}
              AND created_at > now() - make_interval(secs => ${windowSeconds}::float8)
          ), ins AS (
            INSERT INTO rate_limit_actions (action, actor_hash)
            SELECT ${action}, ${actorHash} FROM recent WHERE recent.n < ${limit}::bigint
            RETURNING 1
          )
          SELECT n, EXISTS (SELECT 1 FROM ins) AS inserted FROM recent`.execute(trx);
        // `recent` always yields exactly one row.
        const row = result.rows[0]!;
        return { allowed: row.inserted, count: Number(row.n) };
      });
    },

    async refundAction(action, actorHash) {
      await guard(() =>
        sql`
          DELETE FROM rate_limit_actions WHERE ctid = (
            SELECT ctid FROM rate_limit_actions WHERE action = ${action} AND actor_hash = ${actorHash}
            ORDER BY created_at DESC LIMIT 1)`.execute(db),
      );
    },
  };
}
