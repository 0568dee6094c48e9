import { RpcError } from '@less-sync/core';
import { afterEach, describe, expect, it } from 'vitest';
import { deksGetMethod, deksRewrapMethod } from '../../../src/rpc/deks/records.js';
import type { ClientRequestContext } from '../../../src/rpc/method.js';
import { identityFromAuth } from '../../../src/session/identity.js';
import { TestServer } from '../../harness/index.js';

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

/** A request context whose JWT lacks `sync` (the WebSocket route refuses such tokens at auth). */
function contextWithScope(scope: string, personalSpaceId: string): ClientRequestContext {
  const auth = {
    issuer: 'https://issuer.test',
    userId: 'u',
    clientId: 'c',
    personalSpaceId,
    did: '',
    mailboxId: '',
    scope,
    expiresAt: undefined,
  };
  return {
    identity: identityFromAuth(auth),
    method: 'deks.get',
    id: '1',
    chunk: async () => {},
    chunkCount: 0,
  } as unknown as ClientRequestContext;
}

describe('deks.* scope check (RPC-DEK-1, RPC-DEK-2)', () => {
  it('RPC-DEK-1 RPC-DEK-2 without the `sync` scope: forbidden "sync scope required", before authorization', async () => {
    server = await TestServer.start();
    const space = server.user('alice').personalSpaceId;
    const ctx = contextWithScope('files', space);
    for (const route of [deksGetMethod(server.services), deksRewrapMethod(server.services)]) {
      const params = route.decode({ space, deks: [] });
      const err = await Promise.resolve()
        .then(() => route.handle(params, ctx))
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RpcError);
      expect((err as RpcError).toPayload()).toEqual({ code: 'forbidden', message: 'sync scope required' });
    }
    // Authorization never ran, so the personal space was not created.
    expect(await server.query('SELECT * FROM spaces')).toEqual([]);
  });
});
