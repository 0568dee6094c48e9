import { afterEach, describe, expect, it } from 'vitest';
import { buildClientHandlers, CLIENT_METHOD_GROUPS } from '../../src/rpc/registry.js';
import { TestServer } from '../harness/index.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('client handler registry (WS-FRAME-3, WS-FRAME-5)', () => {
  it('WS-FRAME-3 the sync group registers its methods and notification', async () => {
    server = await TestServer.start();
    const table = buildClientHandlers(server.services);
    for (const name of ['token.refresh', 'space.create', 'subscribe', 'push', 'pull']) {
      expect(table.requests.has(name), name).toBe(true);
    }
    expect(table.notifications.has('unsubscribe')).toBe(true);
    expect(table.requests.get('pull')?.chunked).toBe(true);
    expect(CLIENT_METHOD_GROUPS.length).toBe(6);
  });

  it('a method claimed by two groups is refused at build time', async () => {
    server = await TestServer.start();
    const dup = () => ({ requests: { push: buildClientHandlers(server!.services).requests.get('push')! } });
    expect(() => buildClientHandlers(server!.services, [dup, dup])).toThrow(
      'request method push registered twice',
    );
    const note = () => ({ notifications: { ping: { decode: () => null, handle: () => {} } } });
    expect(() => buildClientHandlers(server!.services, [note, note])).toThrow(
      'notification ping registered twice',
    );
  });

  it('the metrics hook sees each request with its outcome', async () => {
    const seen: Array<[string, string, string | undefined]> = [];
    const s = await TestServer.start();
    server = s;
    // Build a table with a metrics hook and call its routes directly.
    (s.services as { metrics: object }).metrics = {
      rpcRequest: (method: string, ms: number, outcome: string, code?: string) => {
        expect(ms).toBeGreaterThanOrEqual(0);
        seen.push([method, outcome, code]);
      },
    };
    const table = buildClientHandlers(s.services);
    const route = table.requests.get('space.create')!;
    const ctx = { identity: { auth: { issuer: 'i', userId: 'u', clientId: 'c' } } } as never;
    await expect(
      route.handle(route.decode({ id: 'bad', root_public_key: new Uint8Array(33) }), ctx),
    ).rejects.toThrow('invalid space id');
    const sub = table.requests.get('subscribe')!;
    await sub.handle(sub.decode({ spaces: [] }), {
      identity: {},
      connection: { subscribe: async () => [] },
    } as never);
    expect(() => sub.decode({ spaces: 'x' })).toThrow();
    const failing = buildClientHandlers(s.services, [
      () => ({
        requests: {
          boom: {
            invalidParamsMessage: undefined,
            chunked: false,
            decode: () => null,
            handle: async () => {
              throw new Error('bug');
            },
          },
        },
      }),
    ]).requests.get('boom')!;
    await expect(failing.handle(null, ctx)).rejects.toThrow('bug');
    expect(seen).toEqual([
      ['space.create', 'error', 'bad_request'],
      ['subscribe', 'ok', undefined],
      ['subscribe', 'error', 'invalid_params'],
      ['boom', 'error', 'internal'],
    ]);
  });

  it('the rpcScope hook runs each request inside its scope, once, and sees its failure', async () => {
    const s = await TestServer.start();
    server = s;
    const scopes: string[] = [];
    (s.services as { metrics: object }).metrics = {
      rpcScope: async <T>(method: string, run: () => Promise<T>): Promise<T> => {
        scopes.push(`enter ${method}`);
        try {
          return await run();
        } finally {
          scopes.push(`leave ${method}`);
        }
      },
    };
    const sub = buildClientHandlers(s.services).requests.get('subscribe')!;
    await sub.handle(sub.decode({ spaces: [] }), {
      identity: {},
      connection: { subscribe: async () => [] },
    } as never);
    const create = buildClientHandlers(s.services).requests.get('space.create')!;
    const ctx = { identity: { auth: { issuer: 'i', userId: 'u', clientId: 'c' } } } as never;
    await expect(
      create.handle(create.decode({ id: 'bad', root_public_key: new Uint8Array(33) }), ctx),
    ).rejects.toThrow('invalid space id');
    expect(scopes).toEqual([
      'enter subscribe',
      'leave subscribe',
      'enter space.create',
      'leave space.create',
    ]);
  });
});
