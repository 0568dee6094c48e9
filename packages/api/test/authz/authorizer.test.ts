import { randomUUID } from 'node:crypto';
import { type AuthContext, UcanValidator } from '@less-sync/auth';
import { StorageError } from '@less-sync/storage';
import { createTestStorage, type TestStorage } from '@less-sync/storage/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authzErrorCode, authzRpcError } from '../../src/authz/errors.js';
import { type AuthzStorage, SpaceAuthorizer, SpaceAuthzError } from '../../src/authz/index.js';
import type { ApiLogger } from '../../src/deps.js';
import { UcanKey, ucanCid } from '../harness/index.js';

let t: TestStorage;
const warnings: string[] = [];
const errors: string[] = [];
const logger: ApiLogger = {
  warn: (_f, m) => warnings.push(m),
  error: (_f, m) => errors.push(m),
};

beforeEach(async () => {
  t = await createTestStorage();
  warnings.length = 0;
  errors.length = 0;
});
afterEach(async () => {
  await t.close();
});

const member = new UcanKey();
const auth = (overrides: Partial<AuthContext> = {}): AuthContext => ({
  issuer: 'https://issuer.example',
  userId: 'u1',
  clientId: 'c1',
  personalSpaceId: '',
  did: member.did,
  mailboxId: 'm1',
  scope: 'sync',
  expiresAt: undefined,
  ...overrides,
});

function authorizer(storage: AuthzStorage = t.storage, localDomains: string[] = []) {
  return new SpaceAuthorizer({ storage, ucan: new UcanValidator(), logger, localDomains });
}

async function shared(homeServer?: string) {
  const root = new UcanKey();
  const id = randomUUID();
  await t.storage.createSpace(id, 'owner', root.compressedPublicKey);
  if (homeServer !== undefined) await t.storage.setSpaceHomeServer(id, homeServer);
  return { id, root };
}

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (err) {
    expect(err).toBeInstanceOf(SpaceAuthzError);
    return (err as SpaceAuthzError).code;
  }
}

describe('SpaceAuthorizer (RPC-AUTHZ-1..3, R11)', () => {
  it('RPC-AUTHZ-1 the personal space is created on first use, in any spelling, with no UCAN', async () => {
    const id = randomUUID();
    const a = await authorizer().authorize(
      auth({ personalSpaceId: id.toUpperCase() }),
      id.replaceAll('-', ''),
      '',
      'admin',
    );
    expect(a).toMatchObject({ id, personal: true, chain: undefined, remote: undefined });
    expect(a.space).toMatchObject({
      id,
      client_id: 'c1',
      key_generation: 1,
      cursor: 0,
    });
    expect(a.space.root_public_key).toBeUndefined();
  });

  it('R11 a personal space id that names a shared space is forbidden and logged', async () => {
    const { id } = await shared();
    expect(await code(authorizer().authorize(auth({ personalSpaceId: id }), id, '', 'read'))).toBe(
      'forbidden',
    );
    expect(warnings).toEqual(['JWT personal space id names a shared space; access refused']);
  });

  it('RPC-AUTHZ-1 unknown space, no root key, no UCAN, no DID, not a UUID: forbidden', async () => {
    const { id, root } = await shared();
    const other = randomUUID();
    await t.storage.getOrCreateSpace(other, 'someone');
    const ucan = root.issue({ audience: member.did, space: id });
    const a = authorizer();
    expect(await code(a.authorize(auth(), randomUUID(), ucan, 'read'))).toBe('forbidden');
    expect(await code(a.authorize(auth(), other, ucan, 'read'))).toBe('forbidden');
    expect(await code(a.authorize(auth(), id, '', 'read'))).toBe('forbidden');
    expect(await code(a.authorize(auth({ did: '' }), id, ucan, 'read'))).toBe('forbidden');
    expect(await code(a.authorize(auth(), 'space-1', ucan, 'read'))).toBe('forbidden');
  });

  it('RPC-AUTHZ-2 a valid chain grants its level and below, and reports its CIDs leaf first', async () => {
    const { id, root } = await shared();
    const owner = new UcanKey();
    const toOwner = root.issue({ audience: owner.did, space: id, cmd: '/space/admin' });
    const toMember = owner.issue({ audience: member.did, space: id, cmd: '/space/write', proof: toOwner });
    const a = authorizer();
    const ok = await a.authorize(auth(), id.toUpperCase(), toMember, 'read');
    expect(ok.chain?.cids).toEqual([ucanCid(toMember), ucanCid(toOwner)]);
    expect(ok.chain?.permission).toBe('write');
    expect(await code(a.authorize(auth(), id, toMember, 'write'))).toBe('ok');
    expect(await code(a.authorize(auth(), id, toMember, 'admin'))).toBe('forbidden');
  });

  it('RPC-AUTHZ-3 a revoked leaf or proof is forbidden; a failed revocation lookup is internal', async () => {
    const { id, root } = await shared();
    const owner = new UcanKey();
    const toOwner = root.issue({ audience: owner.did, space: id, cmd: '/space/admin' });
    const toMember = owner.issue({ audience: member.did, space: id, cmd: '/space/read', proof: toOwner });
    await t.storage.revokeUcan(id, ucanCid(toOwner));
    expect(await code(authorizer().authorize(auth(), id, toMember, 'read'))).toBe('forbidden');
    const failing: AuthzStorage = {
      ...t.storage,
      isRevoked: async () => {
        throw new StorageError('Database', { detail: 'gone' });
      },
    };
    expect(
      await code(
        authorizer(failing).authorize(auth(), id, root.issue({ audience: member.did, space: id }), 'read'),
      ),
    ).toBe('internal');
    expect(errors).toEqual(['space authorization failed']);
  });

  it('RPC-AUTHZ-1 storage failures are internal on both paths, never forbidden', async () => {
    const broken: AuthzStorage = {
      getSpace: async () => {
        throw new StorageError('Database', { detail: 'down' });
      },
      getOrCreateSpace: async () => {
        throw new StorageError('Database', { detail: 'down' });
      },
      isRevoked: async () => false,
    };
    const id = randomUUID();
    expect(await code(authorizer(broken).authorize(auth(), id, 'x', 'read'))).toBe('internal');
    expect(await code(authorizer(broken).authorize(auth({ personalSpaceId: id }), id, '', 'read'))).toBe(
      'internal',
    );
  });

  it('RPC-SUB-2 a home server elsewhere is reported as remote; one of our own domains is local', async () => {
    const { id, root } = await shared('https://Peer.Example.com:443/x');
    const ucan = root.issue({ audience: member.did, space: id });
    expect((await authorizer().authorize(auth(), id, ucan, 'read')).remote).toEqual({
      domain: 'peer.example.com',
      url: 'wss://peer.example.com/x',
    });
    expect(
      (await authorizer(t.storage, ['peer.example.com']).authorize(auth(), id, ucan, 'read')).remote,
    ).toBeUndefined();
  });

  it('maps errors to wire codes', () => {
    expect(authzErrorCode(new SpaceAuthzError('forbidden', 'x'))).toBe('forbidden');
    expect(authzErrorCode(new Error('boom'))).toBe('internal');
    expect(authzRpcError(new SpaceAuthzError('forbidden', 'x')).toPayload()).toEqual({
      code: 'forbidden',
      message: 'forbidden',
    });
    expect(authzRpcError(new TypeError('x')).toPayload()).toEqual({ code: 'internal', message: 'internal' });
  });
});
