/**
 * Kysely table types for the final schema (SCHEMA-03 … SCHEMA-10, after migrations 001–012).
 * Column names are the database's; the stores map rows to camelCase domain types.
 *
 * Driver differences the types allow for: `pg` returns int8 as a string and bytea as a Buffer,
 * PGlite returns int8 as a number and bytea as a Uint8Array. Read int8 through `toInt` (db/values.ts).
 */
import type { ColumnType, Generated } from 'kysely';

/** bigint column: read as string (pg) or number (PGlite); written as number or string. */
export type Int8 = ColumnType<string | number, number | string, number | string>;
/** bigint column with a database default (optional on insert). */
export type GeneratedInt8 = ColumnType<string | number, number | string | undefined, number | string>;
/** bytea column: Buffer (a Uint8Array) from pg, Uint8Array from PGlite. */
export type Bytes = Uint8Array;
export type Timestamptz = ColumnType<Date, Date | string, Date | string>;
export type GeneratedTimestamptz = ColumnType<Date, Date | string | undefined, Date | string>;

export interface SpacesTable {
  id: string;
  client_id: string;
  /** NULL = personal space (JWT only); set = shared space (UCAN). */
  root_public_key: Bytes | null;
  key_generation: Generated<number>;
  min_key_generation: Generated<number>;
  metadata_version: Generated<number>;
  /** Unified per-space cursor (STORE-GEN-04). */
  cursor: GeneratedInt8;
  created_at: GeneratedTimestamptz;
  updated_at: GeneratedTimestamptz;
  rewrap_epoch: number | null;
  home_server: string | null;
}

export interface RecordsTable {
  /** Global primary key, not per space (SCHEMA-04). */
  id: string;
  space_id: string;
  blob: Bytes | null;
  cursor: Int8;
  wrapped_dek: Bytes | null;
  deleted: Generated<boolean>;
}

export interface FilesTable {
  space_id: string;
  id: string;
  size: Int8;
  wrapped_dek: Bytes;
  record_id: string;
  cursor: GeneratedInt8;
  deleted: Generated<boolean>;
}

export interface MembersTable {
  space_id: string;
  chain_seq: number;
  prev_hash: Bytes | null;
  entry_hash: Bytes;
  payload: Bytes;
  cursor: GeneratedInt8;
}

export interface RevocationsTable {
  space_id: string;
  ucan_cid: string;
}

export interface InvitationsTable {
  id: Generated<string>;
  /** CHAR(64): shorter values come back blank-padded. */
  mailbox_id: string;
  payload: Bytes;
  created_at: GeneratedTimestamptz;
  expires_at: Timestamptz;
}

export interface RateLimitActionsTable {
  action: string;
  actor_hash: string;
  created_at: GeneratedTimestamptz;
}

export interface FederationSigningKeysTable {
  kid: string;
  private_key: Bytes;
  public_key: Bytes;
  created_at: GeneratedTimestamptz;
  is_active: Generated<boolean>;
  is_primary: Generated<boolean>;
  deactivated_at: Timestamptz | null;
}

export interface Database {
  spaces: SpacesTable;
  records: RecordsTable;
  files: FilesTable;
  members: MembersTable;
  revocations: RevocationsTable;
  invitations: InvitationsTable;
  rate_limit_actions: RateLimitActionsTable;
  federation_signing_keys: FederationSigningKeysTable;
}
