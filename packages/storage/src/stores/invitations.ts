/** Mailbox invitations (STORE-INV-*). Every read and delete is scoped by mailbox. */
import { type Expression, type SqlBool, sql } from 'kysely';
import { toBytes, toInt } from '../db/values.js';
import { guard, type StoreContext } from './context.js';
import { StorageError } from './errors.js';
import type { InvitationStore } from './interfaces.js';
import type { Invitation } from './types.js';

/** Fixed time-to-live of an invitation. */
const TTL = sql`interval '7 days'`;

interface InvitationRow {
  id: string;
  mailbox_id: string;
  payload: Uint8Array;
  created_us: string | number;
  expires_us: string | number;
}

/** Timestamps read as integer microseconds: exact at PostgreSQL precision. */
const created = sql<string>`(extract(epoch from created_at) * 1000000)::bigint`.as('created_us');
const expires = sql<string>`(extract(epoch from expires_at) * 1000000)::bigint`.as('expires_us');

function toInvitation(row: InvitationRow): Invitation {
  const createdAtMicros = toInt(row.created_us);
  const expiresAtMicros = toInt(row.expires_us);
  return {
    id: row.id,
    mailboxId: row.mailbox_id,
    payload: toBytes(row.payload),
    createdAt: new Date(Math.floor(createdAtMicros / 1000)),
    expiresAt: new Date(Math.floor(expiresAtMicros / 1000)),
    createdAtMicros,
    expiresAtMicros,
  };
}

const unexpired: Expression<SqlBool> = sql<SqlBool>`expires_at > now()`;

export function invitationStore(ctx: StoreContext): InvitationStore {
  const { db } = ctx;

  return {
    async createInvitation(input) {
      // Creation order must be exact (RPC-INV-3 lists by it): a clock that did not advance since the
      // mailbox's last invitation (PGlite has millisecond resolution) still yields a later timestamp.
      const at = sql<Date>`GREATEST(now(), (SELECT max(i.created_at) + interval '1 microsecond'
        FROM invitations i WHERE i.mailbox_id = ${input.mailboxId}))`;
      const row = await guard(() =>
        db
          .insertInto('invitations')
          .values({
            mailbox_id: input.mailboxId,
            payload: input.payload,
            created_at: at,
            expires_at: sql`${at} + ${TTL}`,
          })
          .returning(['id', 'mailbox_id', 'payload', created, expires])
          .executeTakeFirstOrThrow(),
      );
      return toInvitation(row);
    },

    async listInvitations(mailboxId, limit, after) {
      if (limit <= 0) return [];
      let query = db
        .selectFrom('invitations')
        .select(['id', 'mailbox_id', 'payload', created, expires])
        .where('mailbox_id', '=', mailboxId)
        .where(unexpired)
        .orderBy('created_at')
        .orderBy('id')
        .limit(Math.min(limit, Number.MAX_SAFE_INTEGER));
      if (after !== undefined) {
        // Keyset after the anchor, looked up in the same mailbox (expired or not); no anchor, no rows.
        query = query.where(
          sql<SqlBool>`(created_at, id) > (
            SELECT a.created_at, a.id FROM invitations a WHERE a.id = ${after} AND a.mailbox_id = ${mailboxId})`,
        );
      }
      const rows = await guard(() => query.execute());
      return rows.map(toInvitation);
    },

    async getInvitation(id, mailboxId) {
      const row = await guard(() =>
        db
          .selectFrom('invitations')
          .select(['id', 'mailbox_id', 'payload', created, expires])
          .where('id', '=', id)
          .where('mailbox_id', '=', mailboxId)
          .where(unexpired)
          .executeTakeFirst(),
      );
      if (!row) throw new StorageError('InvitationNotFound');
      return toInvitation(row);
    },

    async deleteInvitation(id, mailboxId) {
      // Expired or not: the owner may always delete.
      const result = await guard(() =>
        db
          .deleteFrom('invitations')
          .where('id', '=', id)
          .where('mailbox_id', '=', mailboxId)
          .executeTakeFirst(),
      );
      if (result.numDeletedRows === 0n) throw new StorageError('InvitationNotFound');
    },

    async purgeExpiredInvitations() {
      const result = await guard(() =>
        db.deleteFrom('invitations').where(sql<SqlBool>`expires_at < now()`).executeTakeFirst(),
      );
      return Number(result.numDeletedRows);
    },
  };
}
