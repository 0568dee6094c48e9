/** Fixtures shared by the store tests (the reference's test_support helpers, in our own form). */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, expect } from 'vitest';
import {
  type ChangeInput,
  type MemberEntryInput,
  type Storage,
  StorageError,
  type StorageErrorKind,
} from '../../src/index.js';
import { createTestStorage, type TestStorage, type TestStorageOptions } from '../../src/testing/index.js';

/** A fresh migrated schema per test; `ctx.storage` inside a test. */
export function useTestStorage(options: TestStorageOptions = {}) {
  let current: TestStorage | undefined;
  beforeEach(async () => {
    current = await createTestStorage(options);
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return {
    get t(): TestStorage {
      if (!current) throw new Error('no test storage outside a test');
      return current;
    },
    get storage(): Storage {
      return this.t.storage;
    },
  };
}

export const RECORD_1 = '019400e8-7b5d-7000-8000-000000000001';
export const RECORD_2 = '019400e8-7b5d-7000-8000-000000000002';
export const RECORD_3 = '019400e8-7b5d-7000-8000-000000000003';

export const bytes = (text: string) => new TextEncoder().encode(text);

export async function createSpace(storage: Storage, spaceId = randomUUID()): Promise<string> {
  await storage.createSpace(spaceId, 'client-1');
  return spaceId;
}

export function change(
  id: string,
  blob: string | undefined,
  cursor: number,
  wrappedDek?: Uint8Array,
): ChangeInput {
  return { id, blob: blob === undefined ? undefined : bytes(blob), cursor, dek: wrappedDek };
}

/** Pushes a new live record (blob "record") and returns its id. */
export async function createRecord(
  storage: Storage,
  spaceId: string,
  wrappedDek?: Uint8Array,
): Promise<string> {
  const id = randomUUID();
  const result = await storage.push(spaceId, [change(id, 'record', 0, wrappedDek)]);
  if (!result.ok) throw new Error('createRecord conflicted');
  return id;
}

export function wrappedDek(fill: number): Uint8Array {
  return new Uint8Array(44).fill(fill);
}

export function wrappedDekWithEpoch(epoch: number, fill: number): Uint8Array {
  const dek = wrappedDek(fill);
  new DataView(dek.buffer).setInt32(0, epoch, false);
  return dek;
}

/** 64 lowercase hex chars, like a real mailbox id. */
export function mailboxId(): string {
  return randomBytes(32).toString('hex');
}

export function memberEntry(prevHash: Uint8Array, entryHash: Uint8Array, payload: string): MemberEntryInput {
  return { prevHash, entryHash, payload: bytes(payload) };
}

export const fill = (length: number, value: number) => new Uint8Array(length).fill(value);

/** Awaits a rejection and checks it is a StorageError of `kind`. */
export async function expectKind(promise: Promise<unknown>, kind: StorageErrorKind): Promise<StorageError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StorageError);
  expect((error as StorageError).kind).toBe(kind);
  return error as StorageError;
}
