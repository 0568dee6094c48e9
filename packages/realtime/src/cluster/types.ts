/**
 * What the cluster layer needs from the outside, injected by the app so realtime stays free of storage:
 * reading changes back by cursor (api's change resolver) and the service-wide mailbox slots (a table).
 */

/** Reads a space's changes back from the database (transport-agnostic; implemented in api). */
export interface ChangeResolver {
  /** The space's current cursor (baseline when this instance starts watching it). */
  cursor(space: string): Promise<number>;
  /** Notifications (encoded frames, in cursor order) for every change after `since`, and the new cursor. */
  changesSince(space: string, since: number): Promise<{ frames: Uint8Array[]; cursor: number }>;
}

/** Service-wide per-mailbox connection slots (BROKER-04 across instances). */
export interface ConnectionSlots {
  /** Take a slot for `slot` in `mailboxId` unless `limit` live slots are taken; false when full. */
  acquire(mailboxId: string, slot: string, limit: number): Promise<boolean>;
  release(slot: string): Promise<void>;
  /** Live slots of a mailbox across the service. */
  count(mailboxId: string): Promise<number>;
}

/** Minimal logger (pino argument order). */
export interface ClusterLogger {
  warn(fields: Record<string, unknown>, message: string): void;
  info?(fields: Record<string, unknown>, message: string): void;
}
