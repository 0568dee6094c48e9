/**
 * One typed Kysely instance over either backend. The pool / PGlite instance belongs to whoever
 * opened it (e.g. the executors in `src/pg/`); closing the database never ends it unless asked.
 */
import type { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, type PostgresPool } from 'kysely';
import type pg from 'pg';
import { connectionLost } from '../pg/postgres.js';
import { PgliteDialect } from './pglite-dialect.js';
import type { Database } from './schema.js';

export type DatabaseBackend = 'postgres' | 'pglite';

/** What the stores run on. Matches the shape of the `src/pg/` executors structurally. */
export type DatabaseSource =
  | { readonly backend: 'postgres'; readonly pool: pg.Pool }
  | { readonly backend: 'pglite'; readonly db: PGlite };

export interface StorageDatabase {
  readonly backend: DatabaseBackend;
  readonly kysely: Kysely<Database>;
  /** Several connections at once (false for PGlite, where transactions are serialised). */
  readonly multiConnection: boolean;
  /**
   * Runs one statement straight on the driver, without Kysely's query building, for the hot paths.
   * On PostgreSQL it is a named prepared statement (parsed and planned once per pooled connection);
   * PGlite runs the same text unnamed.
   */
  prepared<R>(name: string, text: string, values: readonly unknown[]): Promise<R[]>;
  /** Stops Kysely; ends the pool / closes PGlite only when opened with `owns: true`. */
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** Close the pool / PGlite instance on `close()` (default false). */
  owns?: boolean;
}

function borrowedPool(pool: pg.Pool, owns: boolean): PostgresPool {
  return {
    connect: () => pool.connect(),
    end: async () => {
      if (owns) await pool.end();
    },
  };
}

export function openDatabase(source: DatabaseSource, options: OpenDatabaseOptions = {}): StorageDatabase {
  const owns = options.owns ?? false;
  if (source.backend === 'postgres') {
    const kysely = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: borrowedPool(source.pool, owns) }),
    });
    const pool = source.pool;
    let closed = false;
    return {
      backend: 'postgres',
      kysely,
      multiConnection: true,
      async prepared<R>(name: string, text: string, values: readonly unknown[]) {
        if (closed) throw new Error('database is closed');
        // A checked-out client's promise form (not `pool.query`): the pool would discard the connection,
        // and its prepared statements, on any SQL error (a push conflict is one), and tracing wraps
        // exactly this form.
        const client = await pool.connect();
        let broken: Error | undefined;
        try {
          return (await client.query({ name, text, values: [...values] })).rows as R[];
        } catch (error) {
          if (connectionLost(error)) broken = error as Error;
          throw error;
        } finally {
          client.release(broken);
        }
      },
      close: () => {
        closed = true;
        return kysely.destroy();
      },
    };
  }
  const kysely = new Kysely<Database>({ dialect: new PgliteDialect(source.db) });
  let closed = false;
  return {
    backend: 'pglite',
    kysely,
    multiConnection: false,
    async prepared<R>(_name: string, text: string, values: readonly unknown[]) {
      if (closed) throw new Error('database is closed');
      return (await source.db.query<R>(text, [...values])).rows;
    },
    async close() {
      closed = true;
      await kysely.destroy();
      if (owns && !source.db.closed) await source.db.close();
    },
  };
}
