import { describe, expect, it } from 'vitest';
import { load, loadError } from './helpers.js';

describe('DATABASE_URL and LESS_SYNC_DATA_DIR', () => {
  it('R23 from_values_requires_database_url (reversed): no DATABASE_URL runs embedded PGlite in <dataDir>/pglite', () => {
    const config = load({ DATABASE_URL: undefined });
    expect(config.database).toEqual({ kind: 'embedded', dir: './data/pglite' });
    expect(config.dataDir).toBe('./data');
  });

  it('R23 an empty or blank DATABASE_URL is the same as unset', () => {
    expect(load({ DATABASE_URL: '' }).database.kind).toBe('embedded');
    expect(load({ DATABASE_URL: '   ' }).database.kind).toBe('embedded');
  });

  it('R23 LESS_SYNC_DATA_DIR moves the embedded database (trailing slashes dropped)', () => {
    const config = load({ DATABASE_URL: undefined, LESS_SYNC_DATA_DIR: '/var/lib/less-sync/' });
    expect(config.dataDir).toBe('/var/lib/less-sync/');
    expect(config.database).toEqual({ kind: 'embedded', dir: '/var/lib/less-sync/pglite' });
  });

  it('R23 embedded database in production is allowed, with a warning', () => {
    const config = load({ DATABASE_URL: undefined, NODE_ENV: 'production' });
    expect(config.database.kind).toBe('embedded');
    expect(config.warnings.some((w) => w.startsWith('DATABASE_URL is not set'))).toBe(true);
    expect(load({ DATABASE_URL: undefined }).warnings.some((w) => w.startsWith('DATABASE_URL'))).toBe(false);
  });

  it('CONFIG-03 keeps the URL as given and accepts both schemes', () => {
    expect(load({ DATABASE_URL: 'postgresql://u:p@db:5432/x' }).database).toEqual({
      kind: 'postgres',
      url: 'postgresql://u:p@db:5432/x',
      sslMode: undefined,
      searchPath: undefined,
    });
  });

  it.each(['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'])(
    'CONFIG-03 accepts sslmode=%s',
    (mode) => {
      const config = load({ DATABASE_URL: `postgres://db/x?sslmode=${mode}` });
      expect(config.database).toMatchObject({ kind: 'postgres', sslMode: mode });
    },
  );

  it.each([
    ['-csearch_path=test_abc', 'test_abc'],
    ['-c%20search_path%3Dtest_abc', 'test_abc'],
    ['--search_path=s1', 's1'],
    ['-c statement_timeout=5 -csearch_path=s2', 's2'],
    ['-cstatement_timeout=5', undefined],
  ])('CONFIG-03 options=%s gives search path %s', (options, schema) => {
    const config = load({
      DATABASE_URL: `postgres://postgres@127.0.0.1:5432/test?sslmode=disable&options=${options}`,
    });
    expect(config.database).toMatchObject({ kind: 'postgres', sslMode: 'disable', searchPath: schema });
  });

  it('CONFIG-03 an unknown sslmode is refused, naming the mode', () => {
    expect(loadError({ DATABASE_URL: 'postgres://db/x?sslmode=sometimes' }).message).toBe(
      'invalid DATABASE_URL: unsupported sslmode "sometimes" (expected disable, allow, prefer, require, verify-ca, verify-full)',
    );
  });

  it('CONFIG-03 a non-postgres URL is refused without echoing the URL (it may hold a password)', () => {
    const wrongScheme = loadError({ DATABASE_URL: 'mysql://root:hunter2@db/x' });
    expect(wrongScheme.variable).toBe('DATABASE_URL');
    expect(wrongScheme.message).toBe('invalid DATABASE_URL: scheme "mysql" is not postgres or postgresql');
    const garbage = loadError({ DATABASE_URL: 'hunter2 not a url' });
    expect(garbage.message).toBe('invalid DATABASE_URL: expected a postgres:// or postgresql:// URL');
    expect(garbage.message).not.toContain('hunter2');
  });
});
