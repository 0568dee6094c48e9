import { randomUUID } from 'node:crypto';
import { encode } from 'cborg';
import { afterEach, describe, expect, it } from 'vitest';
import { TestServer, UcanKey } from '../harness/index.js';

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

const NUL = 'a\u0000b';

/** CBOR map head + text-keyed entries, built by hand so any value bytes can be placed inside. */
function rawRequest(id: string, method: string, paramsBytes: Uint8Array): Uint8Array {
  const head = encode({ type: 0, method, id });
  // head is a map of 3 entries (0xa3); make it 4 and append "params" with the given value bytes.
  const key = encode('params');
  const out = new Uint8Array(head.length + key.length + paramsBytes.length);
  out.set(head);
  out[0] = 0xa4;
  out.set(key, head.length);
  out.set(paramsBytes, head.length + key.length);
  return out;
}

function nestedMap(depth: number): Uint8Array {
  // {"a": {"a": ... {} }}
  const out: number[] = [];
  for (let i = 0; i < depth; i++) out.push(0xa1, 0x61, 0x61);
  out.push(0xa0);
  return Uint8Array.from(out);
}

describe('bad text and undecodable params (issue items 4 and 5, WS-FRAME-4, R2)', () => {
  it('WS-FRAME-4 a NUL in any text param answers bad_request, never internal, and changes nothing', async () => {
    server = await TestServer.start();
    const alice = server.user('alice');
    const c = await server.connect(alice);
    const space = alice.personalSpaceId;
    const cases: Array<[string, Record<string, unknown>]> = [
      ['membership.revoke', { space, ucan_cid: NUL }],
      ['membership.append', { space, ucan: NUL, expected_version: 0, payload: new Uint8Array([1]) }],
      ['membership.list', { space: `${space}\u0000` }],
      ['subscribe', { spaces: [{ id: space, since: 0, ucan: NUL }] }],
      ['push', { space, changes: [{ id: NUL, blob: new Uint8Array([1]), expected_cursor: 0 }] }],
      ['pull', { spaces: [{ id: NUL, since: 0 }] }],
      ['space.create', { id: NUL, root_public_key: new UcanKey().compressedPublicKey }],
      ['invitation.create', { mailbox_id: NUL, payload: new Uint8Array([1]) }],
      ['invitation.get', { id: NUL }],
      ['invitation.delete', { id: NUL }],
      ['epoch.begin', { space, epoch: 2, ucan: NUL }],
      ['deks.get', { space, since: 0, ucan: NUL }],
      ['token.refresh', { token: NUL }],
    ];
    for (const [method, params] of cases) {
      const reply = await c.request(method, params);
      expect({ method, error: reply.error }).toEqual({
        method,
        error: { code: 'bad_request', message: 'text must not contain NUL characters' },
      });
    }
    expect(c.isOpen).toBe(true);
    expect(await server.query('SELECT id FROM records')).toEqual([]);
    expect(await server.query('SELECT ucan_cid FROM revocations')).toEqual([]);
  });

  it('R2 WS-FRAME-4 invalid UTF-8 inside params answers bad_request and keeps the connection', async () => {
    server = await TestServer.start();
    const c = await server.connect(server.user());
    // params = {"space": <text of bytes ff fe>, "ucan_cid": "x"}
    const params = Uint8Array.from([
      0xa2,
      0x65,
      ...Buffer.from('space'),
      0x62,
      0xff,
      0xfe,
      0x68,
      ...Buffer.from('ucan_cid'),
      0x61,
      0x78,
    ]);
    const reply = await c.requestBytes('utf8-1', rawRequest('utf8-1', 'membership.revoke', params));
    expect(reply.error).toEqual({ code: 'bad_request', message: 'text must be valid UTF-8' });
    expect(c.isOpen).toBe(true);
    expect(await c.call('membership.list', { space: randomUUID() }).catch((e: Error) => e.message)).toMatch(
      /membership.list failed/,
    );
  });

  it('R2 WS-FRAME-4 a half-precision float in params answers invalid_params and keeps the connection', async () => {
    server = await TestServer.start();
    const alice = server.user();
    const c = await server.connect(alice);
    // cborg (as the SDK) writes 0.5 as a half float.
    const reply = await c.request('pull', { spaces: [{ id: alice.personalSpaceId, since: 0.5 }] });
    expect(reply.error).toEqual({ code: 'invalid_params', message: 'invalid pull params' });
    // And the connection still answers.
    expect(await c.call('pull', { spaces: [{ id: alice.personalSpaceId, since: 0 }] })).toBeDefined();
  });

  it('R2 WS-FRAME-4 a 100-deep nested map in params answers invalid_params; depth stays bounded', async () => {
    server = await TestServer.start();
    const alice = server.user();
    const c = await server.connect(alice);
    const deep = await c.requestBytes('deep-1', rawRequest('deep-1', 'subscribe', nestedMap(100)));
    expect(deep.error).toEqual({ code: 'invalid_params', message: 'invalid subscribe params' });
    // 100,000 levels: still an answer, no stack overflow.
    const deeper = await c.requestBytes('deep-2', rawRequest('deep-2', 'subscribe', nestedMap(60_000)));
    expect(deeper.error?.code).toBe('invalid_params');
    expect(c.isOpen).toBe(true);
    expect(await c.call('pull', { spaces: [{ id: alice.personalSpaceId, since: 0 }] })).toBeDefined();
  });

  it('WSPROTO-08 a broken envelope still closes 4005 (truncated params)', async () => {
    server = await TestServer.start();
    const c = await server.connect(server.user());
    const frame = rawRequest('t-1', 'subscribe', Uint8Array.from([0xa1, 0x61]));
    c.sendRaw(frame);
    expect((await c.waitClosed()).code).toBe(4005);
  });
});
