/** Federation signing keys (STORE-FED-02 … 08, FED-KEY-01, R27). */
import { type SqlBool, sql } from 'kysely';
import { toBytes } from '../db/values.js';
import { guard, inTransaction, type StoreContext } from './context.js';
import { StorageError } from './errors.js';
import type { FederationKeyStore } from './interfaces.js';

export function federationKeyStore(ctx: StoreContext): FederationKeyStore {
  const { db } = ctx;

  return {
    async ensureFederationKey(kid, privateKey, publicKey) {
      // The first key becomes primary; an existing kid is left exactly as it is.
      await guard(() =>
        db
          .insertInto('federation_signing_keys')
          .values({
            kid,
            private_key: privateKey,
            public_key: publicKey,
            is_active: true,
            is_primary: sql<boolean>`NOT EXISTS (
              SELECT 1 FROM federation_signing_keys WHERE is_primary AND is_active)`,
          })
          .onConflict((oc) => oc.column('kid').doNothing())
          .execute(),
      );
    },

    async setFederationPrimaryKey(kid) {
      await inTransaction(ctx, async (trx) => {
        await trx
          .updateTable('federation_signing_keys')
          .set({ is_primary: false })
          .where('is_primary', '=', true)
          .execute();
        const result = await trx
          .updateTable('federation_signing_keys')
          .set({ is_primary: true, is_active: true, deactivated_at: null })
          .where('kid', '=', kid)
          .executeTakeFirst();
        if (result.numUpdatedRows === 0n) throw new StorageError('FederationKeyNotFound');
      });
    },

    async deactivateFederationKey(kid) {
      const result = await guard(() =>
        db
          .updateTable('federation_signing_keys')
          .set({ is_active: false, is_primary: false, deactivated_at: sql`now()` })
          .where('kid', '=', kid)
          .executeTakeFirst(),
      );
      if (result.numUpdatedRows === 0n) throw new StorageError('FederationKeyNotFound');
    },

    async getFederationPrivateKey(kid) {
      const row = await guard(() =>
        db
          .selectFrom('federation_signing_keys')
          .select('private_key')
          .where('kid', '=', kid)
          .executeTakeFirst(),
      );
      if (!row) throw new StorageError('FederationKeyNotFound');
      return toBytes(row.private_key);
    },

    async getFederationSigningKey() {
      const row = await guard(() =>
        db
          .selectFrom('federation_signing_keys')
          .select(['kid', 'private_key', 'public_key'])
          .where(sql<SqlBool>`is_active AND is_primary`)
          .orderBy('created_at', 'desc')
          .limit(1)
          .executeTakeFirst(),
      );
      return row
        ? { kid: row.kid, privateKey: toBytes(row.private_key), publicKey: toBytes(row.public_key) }
        : undefined;
    },

    async createFederationKey(key) {
      return inTransaction(ctx, async (trx) => {
        // Serialises key creation and promotion against each other (two keygens at once) while reads
        // of the table go on; the single-primary index would otherwise turn a race into an error.
        await sql`LOCK TABLE federation_signing_keys IN SHARE ROW EXCLUSIVE MODE`.execute(trx);
        const existing = await trx
          .selectFrom('federation_signing_keys')
          .select('kid')
          .where('kid', '=', key.kid)
          .executeTakeFirst();
        if (existing) throw new StorageError('FederationKeyExists', { detail: key.kid });
        const primary = await trx
          .selectFrom('federation_signing_keys')
          .select('kid')
          .where(sql<SqlBool>`is_active AND is_primary`)
          .executeTakeFirst();
        const promoted = key.promote || primary === undefined;
        // An inactive row can still hold the primary flag only if someone edited the table by hand.
        if (promoted) {
          await trx
            .updateTable('federation_signing_keys')
            .set({ is_primary: false })
            .where('is_primary', '=', true)
            .execute();
        }
        await trx
          .insertInto('federation_signing_keys')
          .values({
            kid: key.kid,
            private_key: key.privateKey,
            public_key: key.publicKey,
            is_active: true,
            is_primary: promoted,
          })
          .execute();
        return { promoted, primaryKid: promoted ? key.kid : (primary?.kid ?? key.kid) };
      });
    },

    async retireFederationKey(kid) {
      await inTransaction(ctx, async (trx) => {
        await sql`LOCK TABLE federation_signing_keys IN SHARE ROW EXCLUSIVE MODE`.execute(trx);
        const row = await trx
          .selectFrom('federation_signing_keys')
          .select(['is_primary', 'is_active'])
          .where('kid', '=', kid)
          .executeTakeFirst();
        if (!row) throw new StorageError('FederationKeyNotFound');
        if (row.is_primary && row.is_active)
          throw new StorageError('FederationKeyIsPrimary', { detail: kid });
        await trx
          .updateTable('federation_signing_keys')
          .set({ is_active: false, is_primary: false, deactivated_at: sql`COALESCE(deactivated_at, now())` })
          .where('kid', '=', kid)
          .execute();
      });
    },

    async listFederationPublicKeys() {
      const rows = await guard(() =>
        db
          .selectFrom('federation_signing_keys')
          .select(['kid', 'public_key'])
          .where('is_active', '=', true)
          .orderBy('created_at')
          .orderBy('kid')
          .execute(),
      );
      return rows.map((row) => ({ kid: row.kid, publicKey: toBytes(row.public_key) }));
    },
  };
}
