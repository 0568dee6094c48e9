import { encode as cborgEncode } from 'cborg';
import { describe, expect, it } from 'vitest';
import {
  decodeCbor,
  EmptyResultCodec,
  encodeChunk,
  encodeErrorResponse,
  encodeKeepalive,
  encodeMethodNotFound,
  encodeNotification,
  encodeRequest,
  encodeResponse,
  InvitationNotificationCodec,
  Payload,
  PullResultCodec,
  PushParamsCodec,
  PushRpcResultCodec,
  RpcErrorCode,
  SubscribeResultCodec,
  type WireValue,
  WsPullRecordDataCodec,
  WsSyncDataCodec,
} from '../src/index.js';
import { hex, unhex, utf8 } from './helpers.js';

/** protocol.md §7, byte for byte. */
const EX = {
  keepalive: 'f6',
  auth: 'a3 6474797065 02 666d6574686f64 6461757468 66706172616d73 a1 65746f6b656e 6b76616c69642d746f6b656e',
  pushRequest:
    'a4 6474797065 00 626964 657265712d31 666d6574686f64 6470757368 66706172616d73 a2 657370616365 6773706163652d31 676368616e676573 81 a3 626964 657265632d31 64626c6f62 4464617461 6f65787065637465645f637572736f72 00',
  pushResult: 'a3 6474797065 01 626964 657265712d31 66726573756c74 a2 626f6b f5 66637572736f72 19060d',
  pushConflict:
    'a3 6474797065 01 626964 657265712d31 66726573756c74 a2 626f6b f4 656572726f72 68636f6e666c696374',
  emptyResult: 'a3 6474797065 01 626964 657265712d31 66726573756c74 a0',
  methodNotFound:
    'a3 6474797065 01 626964 657265712d31 656572726f72 a2 64636f6465 706d6574686f645f6e6f745f666f756e64 676d657373616765 73756e6b6e6f776e206d6574686f643a20666f6f',
  methodNotFoundNoId:
    'a3 6474797065 01 626964 60 656572726f72 a2 64636f6465 706d6574686f645f6e6f745f666f756e64 676d657373616765 73756e6b6e6f776e206d6574686f643a20666f6f',
  sync: 'a3 6474797065 02 666d6574686f64 6473796e63 66706172616d73 a5 657370616365 6173 6470726576 19060b 66637572736f72 19060c 6e6b65795f67656e65726174696f6e 00 677265636f726473 82 a3 626964 657265632d31 64626c6f62 4464617461 66637572736f72 19060c a3 626964 657265632d32 66637572736f72 19060c 6764656c65746564 f5',
  invitation: 'a3 6474797065 02 666d6574686f64 6a696e7669746174696f6e 66706172616d73 a0',
  pullRecord:
    'a4 6474797065 03 626964 627031 646e616d65 6b70756c6c2e7265636f7264 6464617461 a4 657370616365 6173 626964 657265632d31 64626c6f62 420102 66637572736f72 07',
  pullTerminal: 'a3 6474797065 01 626964 627031 66726573756c74 a1 675f6368756e6b73 03',
  subscribeResult:
    'a3 6474797065 01 626964 6172 66726573756c74 a2 66737061636573 81 a4 626964 6773706163652d31 66637572736f72 182a 6e6b65795f67656e65726174696f6e 03 6c7265777261705f65706f6368 02 666572726f727381 a2 657370616365 696261642d7370616365 656572726f72 69666f7262696464656e',
};

const norm = (s: string) => s.replace(/\s+/g, '');

describe('protocol.md §7 wire examples (PROTO-04, PROTO-07)', () => {
  it('PROTO-07 keepalive is the single byte f6', () => {
    expect(hex(encodeKeepalive())).toBe(EX.keepalive);
  });

  it('PROTO-07 auth notification (client → server) encodes byte-exact', () => {
    expect(hex(encodeNotification('auth', { token: 'valid-token' }))).toBe(norm(EX.auth));
  });

  it('PROTO-10 push request with one change encodes byte-exact; ucan and dek omitted', () => {
    const params = Payload.of(PushParamsCodec, {
      space: 'space-1',
      changes: [{ id: 'rec-1', blob: utf8('data'), expected_cursor: 0 }],
    });
    expect(hex(encodeRequest('req-1', 'push', params))).toBe(norm(EX.pushRequest));
  });

  it('PROTO-10 push result success and conflict forms encode byte-exact', () => {
    expect(hex(encodeResponse('req-1', Payload.of(PushRpcResultCodec, { ok: true, cursor: 1549 })))).toBe(
      norm(EX.pushResult),
    );
    expect(
      hex(
        encodeResponse('req-1', Payload.of(PushRpcResultCodec, { ok: false, cursor: 0, error: 'conflict' })),
      ),
    ).toBe(norm(EX.pushConflict));
  });

  it('PROTO-04 empty struct result encodes as a0', () => {
    expect(hex(encodeResponse('req-1', Payload.of(EmptyResultCodec, {})))).toBe(norm(EX.emptyResult));
    expect(hex(encodeResponse('req-1', {}))).toBe(norm(EX.emptyResult));
  });

  it('PROTO-07 unknown method error response, with and without a request id', () => {
    expect(hex(encodeMethodNotFound('req-1', 'foo'))).toBe(norm(EX.methodNotFound));
    expect(hex(encodeErrorResponse('', RpcErrorCode.MethodNotFound, 'unknown method: foo'))).toBe(
      norm(EX.methodNotFoundNoId),
    );
  });

  it('PROTO-13 sync notification encodes byte-exact (rewrap_epoch, dek, false deleted omitted)', () => {
    const params = Payload.of(WsSyncDataCodec, {
      space: 's',
      prev: 1547,
      cursor: 1548,
      key_generation: 0,
      records: [
        { id: 'rec-1', blob: utf8('data'), cursor: 1548, deleted: false },
        { id: 'rec-2', cursor: 1548, deleted: true },
      ],
    });
    expect(hex(encodeNotification('sync', params))).toBe(norm(EX.sync));
  });

  it('PROTO-13 invitation notification has empty params', () => {
    expect(hex(encodeNotification('invitation', Payload.of(InvitationNotificationCodec, {})))).toBe(
      norm(EX.invitation),
    );
  });

  it('PROTO-11 pull.record chunk and terminal {_chunks} response encode byte-exact', () => {
    const data = Payload.of(WsPullRecordDataCodec, {
      space: 's',
      id: 'rec-1',
      blob: Uint8Array.of(1, 2),
      cursor: 7,
    });
    expect(hex(encodeChunk('p1', 'pull.record', data))).toBe(norm(EX.pullRecord));
    expect(hex(encodeResponse('p1', Payload.of(PullResultCodec, { _chunks: 3 })))).toBe(
      norm(EX.pullTerminal),
    );
  });

  it('PROTO-08 subscribe result encodes byte-exact', () => {
    const result = Payload.of(SubscribeResultCodec, {
      spaces: [{ id: 'space-1', cursor: 42, key_generation: 3, rewrap_epoch: 2 }],
      errors: [{ space: 'bad-space', error: 'forbidden' }],
    });
    expect(hex(encodeResponse('r', result))).toBe(norm(EX.subscribeResult));
  });

  it('PROTO-05 every §7 example decodes back through the bounded decoder', () => {
    for (const example of Object.values(EX)) {
      const bytes = unhex(example);
      const value = decodeCbor(bytes);
      expect(value).not.toBeUndefined();
    }
  });

  // cborg, configured as other packages' tests may use it, writes the same bytes (no key sorting,
  // f64 floats); with its defaults it sorts keys and would not.
  it('PROTO-04 configured cborg reproduces every §7 example from its decoded value', () => {
    const options = { float64: true, mapSorter: undefined };
    for (const example of Object.values(EX)) {
      const value: WireValue = decodeCbor(unhex(example));
      expect(hex(cborgEncode(value, options))).toBe(norm(example));
    }
    expect(hex(cborgEncode(decodeCbor(unhex(EX.pushRequest))))).not.toBe(norm(EX.pushRequest));
  });
});
