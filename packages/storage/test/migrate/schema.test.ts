import { migrate, type SqlQueryable } from '@less-sync/storage';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Backend, backends, type Scratch } from './backends.js';

/** `name type null|not null [default]` per column, in physical order. */
async function columns(db: SqlQueryable, table: string): Promise<string[]> {
  const { rows } = await db.query<{ line: string }>(
    `SELECT a.attname || ' ' || format_type(a.atttypid, a.atttypmod) ||
            CASE WHEN a.attnotnull THEN ' not null' ELSE ' null' END ||
            COALESCE(' default ' || pg_get_expr(d.adbin, d.adrelid), '') AS line
     FROM pg_attribute a
     LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
     ORDER BY a.attnum`,
    [table],
  );
  return rows.map((r) => r.line);
}

async function indexes(db: SqlQueryable, table: string): Promise<Record<string, string>> {
  const { rows } = await db.query<{ name: string; def: string }>(
    `SELECT indexname AS name, regexp_replace(indexdef, '^.* USING ', '') AS def
     FROM pg_indexes WHERE schemaname = current_schema() AND tablename = $1`,
    [table],
  );
  return Object.fromEntries(rows.map((r) => [r.name, r.def]));
}

async function constraints(db: SqlQueryable, table: string): Promise<Record<string, string>> {
  const { rows } = await db.query<{ name: string; def: string }>(
    `SELECT conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint
     WHERE conrelid = $1::regclass AND contype <> 'n'`,
    [table],
  );
  return Object.fromEntries(rows.map((r) => [r.name, r.def]));
}

describe.each(await backends())('final schema on $name', (backend: Backend) => {
  let s: Scratch;
  beforeEach(async () => {
    s = await backend.scratch();
    await migrate(s.db);
  });
  afterEach(() => s.dispose());

  it('SCHEMA-11 tables, function, trigger; no sequences, views or types', async () => {
    const { rows } = await s.db.query<{ name: string; kind: string }>(
      `SELECT relname AS name, relkind::text AS kind FROM pg_class
       WHERE relnamespace = current_schema()::regnamespace AND relkind NOT IN ('i') ORDER BY relname`,
    );
    expect(rows).toEqual(
      [
        // Ours (013), additive: state shared by the instances of one service.
        'cluster_connections',
        // Ours (014): federation quotas counted per service.
        'cluster_federation_peers',
        'cluster_federation_windows',
        'cluster_instances',
        'cluster_job_runs',
        'cluster_secrets',
        'federation_signing_keys',
        'files',
        'invitations',
        'less_sync_migrations',
        'members',
        'rate_limit_actions',
        'records',
        'revocations',
        'spaces',
      ].map((name) => ({ name, kind: 'r' })),
    );
    const fns = await s.db.query<{ sig: string }>(
      `SELECT p.proname || '() ' || pg_get_function_result(p.oid) || ' ' || l.lanname AS sig
       FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
       WHERE p.pronamespace = current_schema()::regnamespace`,
    );
    expect(fns.rows.map((r) => r.sig)).toEqual(['update_updated_at_column() trigger plpgsql']);
    const triggers = await s.db.query<{ def: string }>(
      `SELECT regexp_replace(pg_get_triggerdef(t.oid), ' ON \\S+ ', ' ON spaces ') AS def FROM pg_trigger t
       JOIN pg_class c ON c.oid = t.tgrelid
       WHERE c.relnamespace = current_schema()::regnamespace AND NOT t.tgisinternal`,
    );
    expect(triggers.rows.map((r) => r.def)).toEqual([
      'CREATE TRIGGER spaces_updated_at BEFORE UPDATE ON spaces FOR EACH ROW EXECUTE FUNCTION update_updated_at_column()',
    ]);
  });

  it('SCHEMA-03 spaces', async () => {
    expect(await columns(s.db, 'spaces')).toEqual([
      'id uuid not null',
      'client_id text not null',
      'root_public_key bytea null',
      'key_generation integer not null default 1',
      'min_key_generation integer not null default 1',
      'metadata_version integer not null default 0',
      'cursor bigint not null default 0',
      'created_at timestamp with time zone not null default now()',
      'updated_at timestamp with time zone not null default now()',
      'rewrap_epoch integer null',
      'home_server text null',
    ]);
    expect(await constraints(s.db, 'spaces')).toEqual({ spaces_pkey: 'PRIMARY KEY (id)' });
    expect(await indexes(s.db, 'spaces')).toEqual({ spaces_pkey: 'btree (id)' });
  });

  it('SCHEMA-04 records', async () => {
    expect(await columns(s.db, 'records')).toEqual([
      'id uuid not null',
      'space_id uuid not null',
      'blob bytea null',
      'cursor bigint not null',
      'wrapped_dek bytea null',
      'deleted boolean not null default false',
    ]);
    expect(await constraints(s.db, 'records')).toEqual({
      records_pkey: 'PRIMARY KEY (id)',
      records_space_id_fkey: 'FOREIGN KEY (space_id) REFERENCES spaces(id) ON DELETE CASCADE',
    });
    expect(await indexes(s.db, 'records')).toEqual({
      records_pkey: 'btree (id)',
      idx_records_sync: 'btree (space_id, cursor, id)',
    });
  });

  it('SCHEMA-05 files', async () => {
    expect(await columns(s.db, 'files')).toEqual([
      'space_id uuid not null',
      'id uuid not null',
      'size bigint not null',
      'wrapped_dek bytea not null',
      'record_id uuid not null',
      'cursor bigint not null default 0',
      'deleted boolean not null default false',
    ]);
    expect(await constraints(s.db, 'files')).toEqual({
      files_pkey: 'PRIMARY KEY (space_id, id)',
      files_space_id_fkey: 'FOREIGN KEY (space_id) REFERENCES spaces(id) ON DELETE CASCADE',
      files_record_fk: 'FOREIGN KEY (record_id) REFERENCES records(id)',
      files_not_deleted_check:
        'CHECK ((deleted OR ((size >= 0) AND (wrapped_dek IS NOT NULL) AND (length(wrapped_dek) = 44))))',
    });
    expect(await indexes(s.db, 'files')).toEqual({
      files_pkey: 'btree (space_id, id)',
      idx_files_record_id: 'btree (record_id)',
      idx_files_space_cursor: 'btree (space_id, cursor)',
    });
  });

  it('SCHEMA-06 members', async () => {
    expect(await columns(s.db, 'members')).toEqual([
      'space_id uuid not null',
      'chain_seq integer not null',
      'prev_hash bytea null',
      'entry_hash bytea not null',
      'payload bytea not null',
      'cursor bigint not null default 0',
    ]);
    expect(await constraints(s.db, 'members')).toEqual({
      members_pkey: 'PRIMARY KEY (space_id, chain_seq)',
      members_space_id_fkey: 'FOREIGN KEY (space_id) REFERENCES spaces(id) ON DELETE CASCADE',
    });
    expect(await indexes(s.db, 'members')).toEqual({
      members_pkey: 'btree (space_id, chain_seq)',
      idx_members_cursor: 'btree (space_id, cursor)',
    });
  });

  it('SCHEMA-07 revocations', async () => {
    expect(await columns(s.db, 'revocations')).toEqual(['space_id uuid not null', 'ucan_cid text not null']);
    expect(await constraints(s.db, 'revocations')).toEqual({
      revocations_space_id_fkey: 'FOREIGN KEY (space_id) REFERENCES spaces(id) ON DELETE CASCADE',
      revocations_space_id_ucan_cid_key: 'UNIQUE (space_id, ucan_cid)',
    });
  });

  it('SCHEMA-08 invitations', async () => {
    expect(await columns(s.db, 'invitations')).toEqual([
      'id uuid not null default gen_random_uuid()',
      'mailbox_id character(64) not null',
      'payload bytea not null',
      'created_at timestamp with time zone not null default now()',
      'expires_at timestamp with time zone not null',
    ]);
    expect(await constraints(s.db, 'invitations')).toEqual({ invitations_pkey: 'PRIMARY KEY (id)' });
    expect(await indexes(s.db, 'invitations')).toEqual({
      invitations_pkey: 'btree (id)',
      idx_invitations_mailbox: 'btree (mailbox_id, created_at DESC)',
      idx_invitations_expires_at: 'btree (expires_at)',
    });
  });

  it('SCHEMA-09 rate_limit_actions', async () => {
    expect(await columns(s.db, 'rate_limit_actions')).toEqual([
      'action character varying(32) not null',
      'actor_hash character(64) not null',
      'created_at timestamp with time zone not null default now()',
    ]);
    expect(await constraints(s.db, 'rate_limit_actions')).toEqual({});
    expect(await indexes(s.db, 'rate_limit_actions')).toEqual({
      idx_rate_limit_actions_lookup: 'btree (action, actor_hash, created_at)',
    });
  });

  it('SCHEMA-10 federation_signing_keys', async () => {
    expect(await columns(s.db, 'federation_signing_keys')).toEqual([
      'kid text not null',
      'private_key bytea not null',
      'public_key bytea not null',
      'created_at timestamp with time zone not null default now()',
      'is_active boolean not null default true',
      'is_primary boolean not null default false',
      'deactivated_at timestamp with time zone null',
    ]);
    expect(await indexes(s.db, 'federation_signing_keys')).toEqual({
      federation_signing_keys_pkey: 'btree (kid)',
      federation_signing_keys_single_primary_idx: 'btree (is_primary) WHERE (is_primary = true)',
    });
    await s.db.exec(
      `INSERT INTO federation_signing_keys (kid, private_key, public_key, is_primary) VALUES ('a', '\\x01', '\\x02', true)`,
    );
    await expect(
      s.db.exec(
        `INSERT INTO federation_signing_keys (kid, private_key, public_key, is_primary) VALUES ('b', '\\x01', '\\x02', true)`,
      ),
    ).rejects.toThrow(/federation_signing_keys_single_primary_idx/);
  });

  it('SCHEMA-12 char(64) pads, trigger refreshes updated_at, files check, global record ids', async () => {
    await s.db.exec(`INSERT INTO rate_limit_actions (action, actor_hash) VALUES ('invitation', 'abc')`);
    const padded = await s.db.query<{ n: number; hit: boolean }>(
      `SELECT octet_length(actor_hash)::int AS n, actor_hash = 'abc' AS hit FROM rate_limit_actions`,
    );
    expect(padded.rows).toEqual([{ n: 64, hit: true }]);
    await expect(
      s.db.query(`INSERT INTO rate_limit_actions (action, actor_hash) VALUES ('x', $1)`, ['a'.repeat(65)]),
    ).rejects.toThrow(/too long/);

    const space = '11111111-1111-1111-1111-111111111111';
    await s.db.query(
      `INSERT INTO spaces (id, client_id, updated_at) VALUES ($1, 'c', now() - interval '1 day')`,
      [space],
    );
    await s.db.query('UPDATE spaces SET cursor = cursor + 1 WHERE id = $1', [space]);
    const fresh = await s.db.query<{ recent: boolean }>(
      `SELECT updated_at > now() - interval '1 hour' AS recent FROM spaces`,
    );
    expect(fresh.rows).toEqual([{ recent: true }]);

    const record = '22222222-2222-2222-2222-222222222222';
    await s.db.query(`INSERT INTO records (id, space_id, cursor) VALUES ($1, $2, 1)`, [record, space]);
    const insertFile = (dek: string) =>
      s.db.query(
        `INSERT INTO files (space_id, id, size, wrapped_dek, record_id) VALUES ($1, gen_random_uuid(), 1, decode($2, 'hex'), $3)`,
        [space, dek, record],
      );
    await insertFile('00'.repeat(44));
    await expect(insertFile('00'.repeat(43))).rejects.toThrow(/files_not_deleted_check/);
  });
});
