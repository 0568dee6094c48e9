/**
 * Service-wide state in the database, shared by every instance: liveness (heartbeats), the per-mailbox
 * connection slots, generated secrets and the last run of each scheduled job (tables from migration 013).
 */
import { randomBytes } from 'node:crypto';
import type { ConnectionSlots } from '@less-sync/realtime';
import type { SqlExecutor } from '@less-sync/storage';

export interface ClusterTimings {
  /** How often an instance proves it is alive (default 5 s). */
  readonly heartbeatMs: number;
  /** An instance silent this long is dead: its slots are freed and its peers leave (default 15 s). */
  readonly deadAfterMs: number;
}

export const DEFAULT_CLUSTER_TIMINGS: ClusterTimings = { heartbeatMs: 5_000, deadAfterMs: 15_000 };

export class ClusterState implements ConnectionSlots {
  constructor(
    private readonly db: SqlExecutor,
    readonly instanceId: string,
    readonly timings: ClusterTimings = DEFAULT_CLUSTER_TIMINGS,
  ) {}

  async heartbeat(): Promise<void> {
    await this.db.query(
      `INSERT INTO cluster_instances (instance_id) VALUES ($1)
       ON CONFLICT (instance_id) DO UPDATE SET heartbeat_at = now()`,
      [this.instanceId],
    );
  }

  /** Deletes instances past the liveness window (their slots go with them); returns their ids. */
  async reapDead(): Promise<string[]> {
    const { rows } = await this.db.query<{ instance_id: string }>(
      `DELETE FROM cluster_instances
       WHERE heartbeat_at < now() - make_interval(secs => $1::double precision / 1000) AND instance_id <> $2
       RETURNING instance_id`,
      [this.timings.deadAfterMs, this.instanceId],
    );
    return rows.map((r) => r.instance_id);
  }

  /** Live instance ids (this one included once it heartbeats). */
  async liveInstances(): Promise<string[]> {
    const { rows } = await this.db.query<{ instance_id: string }>(
      `SELECT instance_id FROM cluster_instances
       WHERE heartbeat_at >= now() - make_interval(secs => $1::double precision / 1000)`,
      [this.timings.deadAfterMs],
    );
    return rows.map((r) => r.instance_id);
  }

  /** Leaving cleanly: free every slot of this instance at once. */
  async leave(): Promise<void> {
    await this.db.query('DELETE FROM cluster_instances WHERE instance_id = $1', [this.instanceId]);
  }

  /**
   * Take a slot unless the mailbox already holds `limit` live ones. The mailbox's advisory lock (held to
   * the end of the transaction) makes count-then-insert atomic across instances.
   */
  async acquire(mailboxId: string, slot: string, limit: number): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('less_sync_mailbox:' || $1, 0))`, [
        mailboxId,
      ]);
      const { rows } = await tx.query<{ n: string }>(
        `SELECT count(*) AS n FROM cluster_connections c
         JOIN cluster_instances i USING (instance_id)
         WHERE c.mailbox_id = $1 AND i.heartbeat_at >= now() - make_interval(secs => $2::double precision / 1000)`,
        [mailboxId, this.timings.deadAfterMs],
      );
      if (Number(rows[0]?.n ?? 0) >= limit) return false;
      await tx.query('INSERT INTO cluster_connections (slot, instance_id, mailbox_id) VALUES ($1, $2, $3)', [
        slot,
        this.instanceId,
        mailboxId,
      ]);
      return true;
    });
  }

  async release(slot: string): Promise<void> {
    await this.db.query('DELETE FROM cluster_connections WHERE slot = $1', [slot]);
  }

  async count(mailboxId: string): Promise<number> {
    const { rows } = await this.db.query<{ n: string }>(
      `SELECT count(*) AS n FROM cluster_connections c
       JOIN cluster_instances i USING (instance_id)
       WHERE c.mailbox_id = $1 AND i.heartbeat_at >= now() - make_interval(secs => $2::double precision / 1000)`,
      [mailboxId, this.timings.deadAfterMs],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** The service's secret `name`: the stored one, or `bytes` random bytes stored by the first instance. */
  async secret(name: string, bytes: number): Promise<Uint8Array> {
    await this.db.query(
      'INSERT INTO cluster_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING',
      [name, randomBytes(bytes)],
    );
    const { rows } = await this.db.query<{ value: Uint8Array }>(
      'SELECT value FROM cluster_secrets WHERE name = $1',
      [name],
    );
    const value = rows[0]?.value;
    if (value === undefined || value.byteLength !== bytes)
      throw new Error(`cluster secret ${name} is malformed`);
    return new Uint8Array(value);
  }

  /**
   * Claim this interval's run of a job: true for exactly one instance per `intervalMs` (the row's update
   * is atomic; a slower instance finds the fresh timestamp and skips).
   */
  async claimJob(name: string, intervalMs: number): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `INSERT INTO cluster_job_runs (name, ran_at) VALUES ($1, now())
       ON CONFLICT (name) DO UPDATE SET ran_at = now()
       WHERE cluster_job_runs.ran_at <= now() - make_interval(secs => $2::double precision / 1000)`,
      [name, (intervalMs * 9) / 10],
    );
    return rowCount > 0;
  }
}
