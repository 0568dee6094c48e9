import {
  defaultMigrationsDir,
  LEDGER_TABLE,
  loadMigrations,
  type MigrationStep,
  migrate,
  migrationStatus,
  schemaVersion,
} from '@less-sync/storage';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Backend, backends, type Scratch } from './backends.js';
import { schemaSnapshot, withoutLedger } from './catalog.js';

const ALL = [
  'initial',
  'revocations',
  'invitations',
  'add wrapped dek',
  'files record id',
  'privacy phase1',
  'mailbox invitations',
  'ephemeral rate limits',
  'rewrap epoch',
  'unified cursor',
  'federation keys',
  'federation key lifecycle',
  // Ours, additive: state shared by the instances of one service.
  'cluster state',
  'federation quota',
];
/** The newest version (001-014); 001-012 are the reference's. */
const LATEST = ALL.length;

describe.each(await backends())('migration runner on $name', (backend: Backend) => {
  let s: Scratch;
  beforeEach(async () => {
    s = await backend.scratch();
  });
  afterEach(() => s.dispose());

  it('SCHEMA-01 SCHEMA-02 CLI-MIGRATE-03 applies 001-014 in order, one step each, then nothing', async () => {
    const seen: MigrationStep[] = [];
    const result = await migrate(s.db, { onStep: (step) => seen.push(step) });
    expect(result.version).toBe(LATEST);
    expect(seen.map((x) => [x.action, x.version, x.description])).toEqual(
      ALL.map((d, i) => ['apply', i + 1, d]),
    );
    const { rows } = await s.db.query<{ version: number; description: string; success: boolean }>(
      `SELECT version::int AS version, description, success FROM ${LEDGER_TABLE} ORDER BY version`,
    );
    expect(rows).toEqual(ALL.map((description, i) => ({ version: i + 1, description, success: true })));
    const again = await migrate(s.db);
    expect(again).toEqual({ steps: [], version: LATEST });
    expect(await schemaVersion(s.db)).toEqual({ version: LATEST, dirty: false });
  });

  it('CLI-MIGRATE-04 up 014, down to 0, up again leaves the same schema', async () => {
    await migrate(s.db);
    const first = await schemaSnapshot(s.db);
    const reverted = await migrate(s.db, { direction: 'down', steps: LATEST });
    expect(reverted.steps.map((x) => x.version)).toEqual(ALL.map((_, i) => LATEST - i));
    expect(reverted.version).toBe(0);
    expect(withoutLedger(await schemaSnapshot(s.db))).toEqual([]);
    expect(await schemaVersion(s.db)).toEqual({ version: 0, dirty: false });
    await migrate(s.db);
    expect(await schemaSnapshot(s.db)).toEqual(first);
  });

  it('CLI-MIGRATE-04 every down script restores the schema of the level below', async () => {
    const levels: string[][] = [withoutLedger(await schemaSnapshot(s.db, { positions: false }))];
    for (let v = 1; v <= LATEST; v++) {
      await migrate(s.db, { steps: 1 });
      levels.push(withoutLedger(await schemaSnapshot(s.db, { positions: false })));
    }
    expect(new Set(levels.map((l) => l.join('\n'))).size).toBe(LATEST + 1);
    for (let v = LATEST; v >= 1; v--) {
      const { steps } = await migrate(s.db, { direction: 'down' });
      expect(steps.map((x) => [x.action, x.version])).toEqual([['revert', v]]);
      expect(withoutLedger(await schemaSnapshot(s.db, { positions: false }))).toEqual(levels[v - 1]);
    }
    expect((await migrate(s.db, { direction: 'down' })).steps).toEqual([]);
  }, 120_000);

  it('CLI-MIGRATE-03 steps limits up; down reverts the highest first', async () => {
    expect((await migrate(s.db, { steps: 3 })).version).toBe(3);
    expect((await migrate(s.db, { direction: 'down', steps: 2 })).version).toBe(1);
    const states = (await migrationStatus(s.db)).map((x) => x.state);
    expect(states).toEqual(['applied', ...Array(LATEST - 1).fill('pending')]);
    await expect(migrate(s.db, { steps: 0 })).rejects.toThrow(RangeError);
  });

  it('SCHEMA-02 010 back-fills deleted and keeps old cursors at 0; 012 makes the oldest key primary', async () => {
    await migrate(s.db, { steps: 9 });
    const space = '33333333-3333-3333-3333-333333333333';
    await s.db.query(`INSERT INTO spaces (id, client_id) VALUES ($1, 'c')`, [space]);
    await s.db.query(
      `INSERT INTO records (id, space_id, blob, sequence) VALUES
         ('44444444-4444-4444-4444-444444444444', $1, '\\x01', 1),
         ('55555555-5555-5555-5555-555555555555', $1, NULL, 2)`,
      [space],
    );
    await s.db.query(
      `INSERT INTO members (space_id, seq, entry_hash, payload) VALUES ($1, 1, '\\x01', '\\x02')`,
      [space],
    );
    await migrate(s.db, { steps: 2 });
    await s.db.exec(`INSERT INTO federation_signing_keys (kid, private_key, public_key, created_at) VALUES
      ('b', '\\x01', '\\x01', '2020-01-01'), ('a', '\\x01', '\\x01', '2020-01-01'), ('c', '\\x01', '\\x01', '2019-06-01')`);
    await migrate(s.db);
    const records = await s.db.query<{ cursor: string; deleted: boolean }>(
      'SELECT cursor::text AS cursor, deleted FROM records ORDER BY cursor',
    );
    expect(records.rows).toEqual([
      { cursor: '1', deleted: false },
      { cursor: '2', deleted: true },
    ]);
    const members = await s.db.query<{ chain_seq: number; cursor: string }>(
      'SELECT chain_seq, cursor::text AS cursor FROM members',
    );
    expect(members.rows).toEqual([{ chain_seq: 1, cursor: '0' }]);
    const keys = await s.db.query<{ kid: string; is_primary: boolean; is_active: boolean }>(
      'SELECT kid, is_primary, is_active FROM federation_signing_keys ORDER BY kid',
    );
    expect(keys.rows).toEqual([
      { kid: 'a', is_primary: false, is_active: true },
      { kid: 'b', is_primary: false, is_active: true },
      { kid: 'c', is_primary: true, is_active: true },
    ]);
  });

  it('CLI-MIGRATE-05 status lists every migration with its state; nothing is created', async () => {
    const before = await migrationStatus(s.db);
    expect(before.map((x) => [x.version, x.description, x.state])).toEqual(
      ALL.map((d, i) => [i + 1, d, 'pending']),
    );
    expect(await schemaSnapshot(s.db)).toEqual([]);
    expect(await schemaVersion(s.db)).toEqual({ version: 0, dirty: false });
    await migrate(s.db, { steps: 2 });
    const after = await migrationStatus(s.db);
    expect(after[0]?.state).toBe('applied');
    expect(after[0]?.installedOn).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(after[2]).toMatchObject({ state: 'pending', installedOn: undefined });
  });

  it('CLI-MIGRATE-02 the set is the thirteen files of migrations/, checksummed with SHA-384', async () => {
    const set = await loadMigrations(defaultMigrationsDir());
    expect(set.migrations.map((m) => m.description)).toEqual(ALL);
    expect(set.migrations.every((m) => /^[0-9a-f]{96}$/.test(m.checksum) && m.down !== undefined)).toBe(true);
    expect(set.migrations.some((m) => /\bpublic\./i.test(m.up) || /\bpublic\./i.test(m.down ?? ''))).toBe(
      false,
    );
  });
});
