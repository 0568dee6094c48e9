import { type KeyObject, sign } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AuthContext,
  AuthError,
  encodeDidKey,
  generateP256KeyPair,
  type Permission,
  permissionCommand,
  type TokenValidator,
  UcanValidator,
} from '@less-sync/auth';
import { InMemoryBroker } from '@less-sync/realtime';
import { createLocalBlobStore, type LocalBlobStore } from '@less-sync/storage';
import { createTestStorage, type TestStorage } from '@less-sync/storage/testing';
import { SpaceAuthorizer } from '../../src/authz/index.js';
import { createHttpApp, type HttpApp, type HttpAppDeps, KeyedLock } from '../../src/index.js';

export const PERSONAL_1 = '8e4f907f-cdb8-45a4-bb92-6d9c4f6e8b17';
export const PERSONAL_2 = '7a9ecdd6-b4dc-43d2-9f71-da8bf11c3ac4';
export const SHARED = '6dfe56d8-7987-439f-b044-ea19e633ef46';

export function authContext(
  scope: string,
  personalSpaceId: string,
  did = 'did:key:z6Mkexample',
): AuthContext {
  return {
    issuer: 'https://accounts.less.so',
    userId: 'user',
    clientId: 'client',
    personalSpaceId,
    did,
    mailboxId: 'mailbox',
    scope,
    expiresAt: undefined,
  };
}

/** Tokens are looked up in a table: `valid-token` and the file tokens of the reference's tests. */
export class StubValidator implements TokenValidator {
  readonly tokens = new Map<string, AuthContext>([
    ['valid-token', authContext('sync files', PERSONAL_1)],
    ['files-user1', authContext('sync files', PERSONAL_1)],
    ['sync-user1', authContext('sync', PERSONAL_1)],
    ['files-user2', authContext('sync files', PERSONAL_2)],
  ]);
  async validateToken(token: string): Promise<AuthContext> {
    if (token === '') throw new AuthError('MissingToken');
    if (token === 'expired-token') throw new AuthError('ExpiredToken');
    if (token === 'foreign-token') throw new AuthError('UntrustedIssuer');
    if (token === 'broken-validator') throw new Error('boom');
    const auth = this.tokens.get(token);
    if (!auth) throw new AuthError('InvalidToken');
    return auth;
  }
}

export const healthy = { ping: async () => {} };
export const unhealthy = {
  ping: async () => {
    throw new Error('connection refused');
  },
};

export function bearer(token: string, extra: Record<string, string> = {}): Record<string, string> {
  return { Authorization: `Bearer ${token}`, ...extra };
}

/** A P-256 key that issues UCANs, as a space root or a delegate. */
export class UcanIssuer {
  readonly key: KeyObject;
  readonly did: string;
  readonly compressed: Uint8Array;

  constructor() {
    const pair = generateP256KeyPair();
    this.key = pair.privateKey;
    const x = Buffer.from(pair.x);
    const y = Buffer.from(pair.y);
    this.did = encodeDidKey(Buffer.concat([Buffer.from([4]), x, y]));
    this.compressed = Buffer.concat([Buffer.from([(y.at(-1) ?? 0) % 2 === 0 ? 2 : 3]), x]);
  }

  issue(audience: string, spaceId: string, permission: Permission, proofs: string[] = []): string {
    const header = Buffer.from('{"alg":"ES256","typ":"JWT"}').toString('base64url');
    const claims = {
      iss: this.did,
      aud: audience,
      exp: Math.floor(Date.now() / 1000) + 3600,
      nbf: null,
      cmd: permissionCommand(permission),
      with: `space:${spaceId}`,
      nonce: 'test-nonce',
      prf: proofs,
    };
    const input = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    const signature = sign('sha256', Buffer.from(input), { key: this.key, dsaEncoding: 'ieee-p1363' });
    return `${input}.${signature.toString('base64url')}`;
  }
}

export const DEK = (fill: number): string => Buffer.alloc(44, fill).toString('base64');

export interface FileFixture {
  readonly app: HttpApp;
  readonly t: TestStorage;
  readonly blobs: LocalBlobStore;
  readonly broker: InMemoryBroker;
  readonly validator: StubValidator;
  readonly lock: KeyedLock;
  close(): Promise<void>;
}

/** The file routes over a real database schema, a real local blob store and a real broker. */
export async function fileFixture(
  options: {
    maxFileSize?: number;
    extra?: Partial<HttpAppDeps>;
    onNotification?: (method: string, delivered: number) => void;
  } = {},
): Promise<FileFixture> {
  const t = await createTestStorage();
  const dir = await mkdtemp(join(tmpdir(), 'less-sync-files-'));
  const blobs = await createLocalBlobStore({ root: dir });
  const broker = new InMemoryBroker();
  const validator = new StubValidator();
  const lock = new KeyedLock();
  const authorizer = new SpaceAuthorizer({
    storage: t.storage,
    ucan: new UcanValidator(),
    logger: { warn: () => {}, error: () => {} },
  });
  const app = createHttpApp({
    health: t.storage,
    tokenValidator: validator,
    files: {
      storage: t.storage,
      authorizer,
      blobs,
      broker,
      maxFileSize: options.maxFileSize ?? 104_857_600,
      uploadLock: lock,
      onNotification: options.onNotification,
    },
    ...options.extra,
  });
  return {
    app,
    t,
    blobs,
    broker,
    validator,
    lock,
    async close() {
      await t.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A record in `space` (created as a personal space when missing) via a real push. */
export async function seedRecord(
  t: TestStorage,
  space: string,
  recordId: string,
  clientId = 'client',
): Promise<number> {
  await t.storage.getOrCreateSpace(space, clientId).catch(() => undefined);
  const result = await t.storage.push(space, [{ id: recordId, blob: new Uint8Array([1, 2, 3]), cursor: 0 }]);
  if (!result.ok) throw new Error(`seed push failed: ${JSON.stringify(result)}`);
  return result.cursor;
}

/** Tombstones a record created at `cursor`; returns the file ids the push removed. */
export async function tombstone(
  t: TestStorage,
  space: string,
  recordId: string,
  cursor: number,
): Promise<readonly string[]> {
  const result = await t.storage.push(space, [{ id: recordId, cursor }]);
  if (!result.ok) throw new Error(`tombstone push failed: ${JSON.stringify(result)}`);
  return result.deletedFileIds;
}
