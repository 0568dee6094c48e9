/** Spaces (STORE-SPACE-*) and the home-server column (STORE-FED-01). */
import { sql } from 'kysely';
import { toBytes, toInt } from '../db/values.js';
import { guard, type StoreContext } from './context.js';
import { StorageError, sqlState, UNIQUE_VIOLATION } from './errors.js';
import type { SpacesStore } from './interfaces.js';
import type { Space } from './types.js';

const SPACE_COLUMNS = [
  'id',
  'client_id',
  'root_public_key',
  'key_generation',
  'min_key_generation',
  'metadata_version',
  'cursor',
  'rewrap_epoch',
  'home_server',
] as const;

interface SpaceRow {
  id: string;
  client_id: string;
  root_public_key: Uint8Array | null;
  key_generation: number;
  min_key_generation: number;
  metadata_version: number;
  cursor: string | number;
  rewrap_epoch: number | null;
  home_server: string | null;
}

/** Absent optionals are left out, as the protocol decoder leaves them out. */
export function toSpace(row: SpaceRow): Space {
  const space: Space = {
    id: row.id,
    client_id: row.client_id,
    key_generation: row.key_generation,
    min_key_generation: row.min_key_generation,
    metadata_version: row.metadata_version,
    cursor: toInt(row.cursor),
  };
  if (row.root_public_key !== null) space.root_public_key = toBytes(row.root_public_key);
  if (row.rewrap_epoch !== null) space.rewrap_epoch = row.rewrap_epoch;
  if (row.home_server !== null) space.home_server = row.home_server;
  return space;
}

const COLUMN_LIST = SPACE_COLUMNS.join(', ');

/** $1 space: the read behind every subscribe and authorization (a named prepared statement). */
const GET_SPACE_SQL = `SELECT ${COLUMN_LIST} FROM spaces WHERE id = $1`;

/**
 * $1 space, $2 client: a personal space read or created in one statement (STORE-SPACE-05). `created`
 * tells which; no row means a concurrent creator committed after this statement's snapshot.
 */
const GET_OR_CREATE_SQL =
  `WITH c AS (INSERT INTO spaces (id, client_id) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING RETURNING ${COLUMN_LIST}) ` +
  `SELECT ${COLUMN_LIST} FROM c UNION ALL ` +
  `SELECT ${COLUMN_LIST} FROM spaces WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM c)`;

export function spacesStore(ctx: StoreContext): SpacesStore {
  const { db } = ctx;

  async function findSpace(spaceId: string): Promise<SpaceRow | undefined> {
    return (await guard(() => ctx.prepared<SpaceRow>('less_sync_space_v1', GET_SPACE_SQL, [spaceId])))[0];
  }

  async function getSpace(spaceId: string): Promise<Space> {
    const row = await findSpace(spaceId);
    if (!row) throw new StorageError('SpaceNotFound');
    return toSpace(row);
  }

  async function createSpace(spaceId: string, clientId: string, rootPublicKey?: Uint8Array): Promise<Space> {
    try {
      const row = await db
        .insertInto('spaces')
        .values({ id: spaceId, client_id: clientId, root_public_key: rootPublicKey ?? null })
        .returning(SPACE_COLUMNS)
        .executeTakeFirstOrThrow();
      return toSpace(row);
    } catch (error) {
      if (sqlState(error) === UNIQUE_VIOLATION) throw new StorageError('SpaceExists', { cause: error });
      throw StorageError.database(error);
    }
  }

  function personal(space: Space): Space {
    if (space.root_public_key !== undefined) throw new StorageError('SpaceNotPersonal');
    return space;
  }

  return {
    async ping() {
      await guard(() => sql`SELECT 1`.execute(db));
    },

    getSpace,

    async getSpaces(spaceIds) {
      const spaces = new Map<string, Space>();
      if (spaceIds.length === 0) return spaces;
      const rows = await guard(() =>
        db
          .selectFrom('spaces')
          .select(SPACE_COLUMNS)
          .where('id', '=', sql<string>`ANY(${[...spaceIds]}::uuid[])`)
          .execute(),
      );
      for (const row of rows) spaces.set(row.id, toSpace(row));
      return spaces;
    },

    createSpace,

    async getOrCreateSpace(spaceId, clientId) {
      const rows = await guard(() =>
        ctx.prepared<SpaceRow>('less_sync_space_get_or_create_v1', GET_OR_CREATE_SQL, [spaceId, clientId]),
      );
      // No row: lost a creation race to a transaction that committed after our snapshot; the winner's
      // row decides (a fresh statement sees it).
      const row = rows[0] ?? (await findSpace(spaceId));
      if (!row) throw new StorageError('SpaceNotFound');
      return personal(toSpace(row));
    },

    async getSpaceHomeServer(spaceId) {
      const row = await guard(() =>
        db.selectFrom('spaces').select('home_server').where('id', '=', spaceId).executeTakeFirst(),
      );
      if (!row) throw new StorageError('SpaceNotFound');
      return row.home_server ?? undefined;
    },

    async setSpaceHomeServer(spaceId, homeServer) {
      const result = await guard(() =>
        db
          .updateTable('spaces')
          .set({ home_server: homeServer })
          .where('id', '=', spaceId)
          .executeTakeFirst(),
      );
      if (result.numUpdatedRows === 0n) throw new StorageError('SpaceNotFound');
    },
  };
}
