/**
 * FED-QUOTA-02..06 for the whole service (CLUSTER-07): the federation quota counted in the database, so a
 * peer gets one budget however many instances its sockets land on. Connections and spaces are kept per
 * instance (rows deleted with a dead instance, so its share is freed within the liveness window); the
 * hourly records/bytes/invitations windows are one row per peer domain (tables from migration 014).
 */
import type {
  FederationPeerStatus,
  FederationQuota,
  FederationQuotaKind,
  FederationQuotaLimits,
} from '@less-sync/api';
import type { SqlExecutor, SqlQueryable } from '@less-sync/storage';
import type { ClusterTimings } from './state.js';

export interface PostgresFederationQuotaOptions {
  readonly instanceId: string;
  readonly timings: Pick<ClusterTimings, 'deadAfterMs'>;
  /** Clock for the hourly windows (tests); the database's clock when absent, so instances agree. */
  readonly now?: () => number;
}

/** `$1` is the window clock in ms (NULL: the database's clock). */
const T = `COALESCE(to_timestamp($1::double precision / 1000), now())`;
const stale = (start: string) => `${T} - ${start} >= interval '1 hour'`;
/** A window's count and start after the lazy roll. */
const count = (c: string) => `(CASE WHEN ${stale(`w.${c}_start`)} THEN 0 ELSE w.${c} END)`;
const start = (c: string) => `(CASE WHEN ${stale(`w.${c}_start`)} THEN ${T} ELSE w.${c}_start END)`;
const rollAll = ['records', 'bytes', 'invitations']
  .map((c) => `${c} = ${count(c)}, ${c}_start = ${start(c)}`)
  .join(', ');

/** Creates the peer's window row if absent and rolls its windows; the row stays locked to the end. */
const TOUCH = `INSERT INTO cluster_federation_windows AS w
    (domain, records_start, bytes_start, invitations_start) VALUES ($2, ${T}, ${T}, ${T})
  ON CONFLICT (domain) DO UPDATE SET ${rollAll}, last_refusal = NULL
  RETURNING w.domain, w.records, w.bytes, w.invitations`;

/** Live instances' rows only: a dead instance's share no longer counts, even before it is reaped. */
const LIVE_PEERS = `cluster_federation_peers p JOIN cluster_instances i USING (instance_id)
  WHERE i.heartbeat_at >= now() - make_interval(secs => $1::double precision / 1000)`;

interface WindowRow {
  domain: string;
  records: string;
  bytes: string;
  invitations: string;
  last_refusal?: string | null;
}

interface SharedRow {
  domain: string;
  connections: string;
  spaces: string;
}

export class PostgresFederationQuota implements FederationQuota {
  private readonly instanceId: string;
  private readonly deadAfterMs: number;
  private readonly now: (() => number) | undefined;

  constructor(
    private readonly db: SqlExecutor,
    readonly limits: FederationQuotaLimits,
    options: PostgresFederationQuotaOptions,
  ) {
    this.instanceId = options.instanceId;
    this.deadAfterMs = options.timings.deadAfterMs;
    this.now = options.now;
  }

  tryAddConnection(domain: string): Promise<boolean> {
    return this.tryAddShared(domain, 'connections', 1, this.limits.maxConnections);
  }

  async removeConnection(domain: string): Promise<void> {
    await this.releaseShared(domain, 'connections', 1);
  }

  async tryAddSpaces(domain: string, count: number): Promise<boolean> {
    if (count <= 0) return true;
    return this.tryAddShared(domain, 'spaces', count, this.limits.maxSpaces);
  }

  async removeSpaces(domain: string, count: number): Promise<void> {
    if (count > 0) await this.releaseShared(domain, 'spaces', count);
  }

  /** One statement: roll, check both windows, add both or neither, and say which limit refused. */
  async tryReservePush(
    domain: string,
    records: number,
    bytes: number,
  ): Promise<FederationQuotaKind | undefined> {
    const refusal = `CASE WHEN ${count('records')} + $3::bigint > $5::bigint THEN 'records'
      WHEN ${count('bytes')} + $4::bigint > $6::bigint THEN 'bytes' END`;
    const row = await this.window(
      `records = ${count('records')} + CASE WHEN (${refusal}) IS NULL THEN $3::bigint ELSE 0 END,
       bytes = ${count('bytes')} + CASE WHEN (${refusal}) IS NULL THEN $4::bigint ELSE 0 END,
       invitations = ${count('invitations')}, invitations_start = ${start('invitations')},
       records_start = ${start('records')}, bytes_start = ${start('bytes')},
       last_refusal = ${refusal}`,
      domain,
      [records, bytes, this.limits.maxRecordsPerHour, this.limits.maxBytesPerHour],
    );
    return (row.last_refusal ?? undefined) as FederationQuotaKind | undefined;
  }

  /** B14: saturating, in the current windows (an already rolled window is not touched). */
  async refundPush(domain: string, records: number, bytes: number): Promise<void> {
    await this.db.query(
      `UPDATE cluster_federation_windows SET records = greatest(0, records - $2::bigint),
         bytes = greatest(0, bytes - $3::bigint)
       WHERE domain = $1`,
      [domain, records, bytes],
    );
  }

  async tryAddInvitation(domain: string): Promise<boolean> {
    const refusal = `CASE WHEN ${count('invitations')} + 1 > $3::bigint THEN 'invitations' END`;
    const row = await this.window(
      `invitations = ${count('invitations')} + CASE WHEN (${refusal}) IS NULL THEN 1 ELSE 0 END,
       invitations_start = ${start('invitations')},
       records = ${count('records')}, records_start = ${start('records')},
       bytes = ${count('bytes')}, bytes_start = ${start('bytes')},
       last_refusal = ${refusal}`,
      domain,
      [this.limits.maxInvitationsPerHour],
    );
    return row.last_refusal == null;
  }

  async peerStatus(domain: string): Promise<FederationPeerStatus> {
    const { rows } = await this.db.query<WindowRow>(TOUCH, [this.clock(), domain]);
    const shared = await this.shared([domain]);
    return snapshot(rows[0] ?? emptyWindow(domain), shared.get(domain));
  }

  async allPeerStatus(): Promise<FederationPeerStatus[]> {
    const { rows } = await this.db.query<WindowRow>(
      `UPDATE cluster_federation_windows AS w SET ${rollAll}
       RETURNING w.domain, w.records, w.bytes, w.invitations`,
      [this.clock()],
    );
    const shared = await this.shared(rows.map((r) => r.domain));
    return rows
      .sort((a, b) => (a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : 0))
      .map((row) => snapshot(row, shared.get(row.domain)));
  }

  /**
   * Check-and-add against the sum of every live instance's rows. The peer's advisory lock (held to the end
   * of the transaction) serialises callers on all instances, as the mailbox cap does; the add itself is
   * one conditional upsert.
   */
  private tryAddShared(
    domain: string,
    column: 'connections' | 'spaces',
    n: number,
    limit: number,
  ): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('less_sync_federation:' || $1, 0))`, [
        domain,
      ]);
      await this.touch(tx, domain);
      // A paused instance that was reaped comes back for its new sockets (its old ones were freed).
      await tx.query('INSERT INTO cluster_instances (instance_id) VALUES ($1) ON CONFLICT DO NOTHING', [
        this.instanceId,
      ]);
      const { rowCount } = await tx.query(
        `INSERT INTO cluster_federation_peers AS o (instance_id, domain, ${column})
         SELECT $2, $3, $4::integer
         WHERE (SELECT coalesce(sum(p.${column}), 0) FROM ${LIVE_PEERS} AND p.domain = $3) + $4::integer <= $5::bigint
         ON CONFLICT (instance_id, domain) DO UPDATE SET ${column} = o.${column} + EXCLUDED.${column}`,
        [this.deadAfterMs, this.instanceId, domain, n, limit],
      );
      return rowCount > 0;
    });
  }

  /** Saturating release of this instance's own share (its sockets are the ones closing). */
  private async releaseShared(domain: string, column: 'connections' | 'spaces', n: number): Promise<void> {
    await this.db.query(
      `UPDATE cluster_federation_peers SET ${column} = greatest(0, ${column} - $3::integer)
       WHERE instance_id = $1 AND domain = $2`,
      [this.instanceId, domain, n],
    );
  }

  private async window(set: string, domain: string, params: readonly unknown[]): Promise<WindowRow> {
    await this.touch(this.db, domain);
    const { rows } = await this.db.query<WindowRow>(
      `UPDATE cluster_federation_windows AS w SET ${set} WHERE w.domain = $2
       RETURNING w.domain, w.records, w.bytes, w.invitations, w.last_refusal`,
      [this.clock(), domain, ...params],
    );
    const row = rows[0];
    if (row === undefined) throw new Error(`federation quota row for ${domain} vanished`);
    return row;
  }

  /** The peer's entry exists from its first counted request on (FED-QUOTA-06 lists it). */
  private async touch(db: SqlQueryable, domain: string): Promise<void> {
    await db.query(
      `INSERT INTO cluster_federation_windows (domain, records_start, bytes_start, invitations_start)
       VALUES ($2, ${T}, ${T}, ${T}) ON CONFLICT (domain) DO NOTHING`,
      [this.clock(), domain],
    );
  }

  private async shared(domains: readonly string[]): Promise<Map<string, SharedRow>> {
    if (domains.length === 0) return new Map();
    const { rows } = await this.db.query<SharedRow>(
      `SELECT p.domain, coalesce(sum(p.connections), 0) AS connections, coalesce(sum(p.spaces), 0) AS spaces
       FROM ${LIVE_PEERS} AND p.domain = ANY($2::text[]) GROUP BY p.domain`,
      [this.deadAfterMs, domains],
    );
    return new Map(rows.map((r) => [r.domain, r]));
  }

  private clock(): number | null {
    return this.now === undefined ? null : this.now();
  }
}

function emptyWindow(domain: string): WindowRow {
  return { domain, records: '0', bytes: '0', invitations: '0' };
}

function snapshot(row: WindowRow, shared: SharedRow | undefined): FederationPeerStatus {
  return {
    domain: row.domain,
    connections: Number(shared?.connections ?? 0),
    spaces: Number(shared?.spaces ?? 0),
    records_this_hour: Number(row.records),
    bytes_this_hour: Number(row.bytes),
    invitations_this_hour: Number(row.invitations),
  };
}
