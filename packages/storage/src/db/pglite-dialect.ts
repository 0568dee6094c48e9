/**
 * A Kysely dialect over an embedded PGlite instance (kept in-house: `kysely-pglite-dialect` does not
 * support PGlite 0.5, and the whole driver is this file).
 *
 * PGlite is one connection. Its own mutex already makes every `query()` and every `transaction()`
 * exclusive, so a Kysely transaction is run inside a PGlite transaction that stays open until Kysely
 * commits or rolls back: other callers (stores, the migration runner, tests) queue behind it and
 * can never interleave statements into it. Consequence: code holding a transaction must not wait
 * on another query of the same instance (it would wait forever).
 */
import type { PGlite, Transaction } from '@electric-sql/pglite';
import {
  type CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';

interface OpenTransaction {
  tx: Transaction;
  /** Ends the PGlite transaction callback; `true` rolls back. */
  finish: (rollback: boolean) => void;
  /** Settles when PGlite has committed or rolled back. */
  done: Promise<void>;
}

class PgliteConnection implements DatabaseConnection {
  readonly #db: PGlite;
  #open: OpenTransaction | undefined;

  constructor(db: PGlite) {
    this.#db = db;
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const runner = this.#open?.tx ?? this.#db;
    const result = await runner.query<R>(query.sql, [...query.parameters]);
    return {
      rows: result.rows,
      numAffectedRows: result.affectedRows === undefined ? undefined : BigInt(result.affectedRows),
    };
  }

  // biome-ignore lint/correctness/useYield: streaming is not offered by this dialect
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streamQuery is not supported by the PGlite dialect; use DECLARE/FETCH');
  }

  async begin(settings: TransactionSettings): Promise<void> {
    if (this.#open) throw new Error('transaction already open on this connection');
    let finish: (rollback: boolean) => void = () => undefined;
    const released = new Promise<boolean>((resolve) => {
      finish = resolve;
    });
    let started: (tx: Transaction) => void = () => undefined;
    const ready = new Promise<Transaction>((resolve) => {
      started = resolve;
    });
    const done = this.#db.transaction(async (tx) => {
      started(tx);
      if (await released) await tx.rollback();
    });
    // `done` only settles first when BEGIN failed (it rejects), e.g. on a closed instance.
    const tx = await Promise.race([ready, done.then(() => ready)]);
    this.#open = { tx, finish, done };
    const modes = [
      settings.isolationLevel ? `isolation level ${settings.isolationLevel}` : undefined,
      settings.accessMode,
    ].filter((mode): mode is string => mode !== undefined);
    if (modes.length > 0) {
      try {
        await tx.query(`set transaction ${modes.join(', ')}`);
      } catch (error) {
        await this.end(true).catch(() => undefined);
        throw error;
      }
    }
  }

  async end(rollback: boolean): Promise<void> {
    const open = this.#open;
    if (!open) return;
    this.#open = undefined;
    open.finish(rollback);
    await open.done;
  }

  get inTransaction(): boolean {
    return this.#open !== undefined;
  }
}

class PgliteDriver implements Driver {
  readonly #db: PGlite;

  constructor(db: PGlite) {
    this.#db = db;
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new PgliteConnection(this.#db);
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    await (connection as PgliteConnection).begin(settings);
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as PgliteConnection).end(false);
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as PgliteConnection).end(true);
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    // A connection released with a transaction still open would block the instance forever.
    const conn = connection as PgliteConnection;
    if (conn.inTransaction) await conn.end(true);
  }

  /** The instance belongs to whoever opened it; Kysely never closes it. */
  async destroy(): Promise<void> {}
}

export class PgliteDialect implements Dialect {
  readonly #db: PGlite;

  constructor(db: PGlite) {
    this.#db = db;
  }

  createDriver(): Driver {
    return new PgliteDriver(this.#db);
  }

  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }
}
