import { encode as sdkEncode } from 'cborg';
import { describe, expect, it } from 'vitest';
import {
  ChangeCodec,
  decodeCbor,
  EpochConflictResultCodec,
  errorResponseJson,
  FederationInvitationParamsCodec,
  FederationInvitationResultCodec,
  isDeletedChange,
  MembershipAppendParamsCodec,
  MembershipListParamsCodec,
  PullParamsCodec,
  PushParamsCodec,
  PushRpcResultCodec,
  parseErrorResponse,
  SpaceCodec,
  SubscribeParamsCodec,
  SubscribeResultCodec,
  TokenRefreshParamsCodec,
  TokenRefreshResultCodec,
  UnsubscribeParamsCodec,
  WsMembershipDataCodec,
  WsPullFileDataCodec,
  WsPushChangeCodec,
  WsSyncDataCodec,
} from '../src/index.js';
import { filled, hex, unhex, utf8 } from './helpers.js';

// The real SDK encodes with cborg's defaults: keys sorted, absent optionals left out.
const fromSdk = (value: Parameters<typeof sdkEncode>[0]) => sdkEncode(value);

describe('PROTO-08 subscribe types', () => {
  it('PROTO-08 subscribe params round-trip (subscribe_params_roundtrip)', () => {
    const bytes = SubscribeParamsCodec.toBytes({
      spaces: [
        { id: 'space-1', since: 0, ucan: 'ucan-token' },
        { id: 'space-2', since: 1547 },
      ],
    });
    const decoded = SubscribeParamsCodec.fromBytes(bytes);
    expect(decoded.spaces).toHaveLength(2);
    expect(decoded.spaces[0]?.ucan).toBe('ucan-token');
    expect(decoded.spaces[1]?.since).toBe(1547);
    expect(decoded.spaces[1]).toEqual({ id: 'space-2', since: 1547, ucan: '', token: '', presence: false });
  });

  it('PROTO-08 subscribe result round-trip (subscribe_result_roundtrip)', () => {
    const bytes = SubscribeResultCodec.toBytes({
      spaces: [
        { id: 'space-1', cursor: 42, key_generation: 3, rewrap_epoch: 2 },
        { id: 'space-2', cursor: 100, key_generation: 1 },
      ],
      errors: [{ space: 'bad-space', error: 'forbidden' }],
    });
    const decoded = SubscribeResultCodec.fromBytes(bytes);
    expect(decoded.spaces[0]?.cursor).toBe(42);
    expect(decoded.spaces[0]?.rewrap_epoch).toBe(2);
    expect(decoded.spaces[1]?.rewrap_epoch).toBeUndefined();
    expect(decoded.errors).toEqual([{ space: 'bad-space', error: 'forbidden' }]);
  });

  it('PROTO-08 the SDK subscribe request (presence flag, no token) decodes', () => {
    const decoded = SubscribeParamsCodec.fromBytes(
      fromSdk({ spaces: [{ id: 's', since: 3, presence: true }] }),
    );
    expect(decoded.spaces[0]).toEqual({ id: 's', since: 3, ucan: '', token: '', presence: true });
  });

  it('PROTO-08 peers are written only when non-empty, with data as a byte string', () => {
    const bytes = SubscribeResultCodec.toBytes({
      spaces: [{ id: 'a', cursor: 1, key_generation: 1, peers: [{ peer: 'p', data: Uint8Array.of(9) }] }],
    });
    const raw = decodeCbor(bytes) as { spaces: Array<Record<string, unknown>> };
    expect(Object.keys(raw.spaces[0] ?? {})).toEqual(['id', 'cursor', 'key_generation', 'peers']);
    expect(SubscribeResultCodec.fromBytes(bytes).spaces[0]?.peers[0]?.data).toEqual(Uint8Array.of(9));
  });
});

describe('PROTO-09 unsubscribe', () => {
  it('PROTO-09 unsubscribe params are a plain array of strings', () => {
    const bytes = UnsubscribeParamsCodec.toBytes({ spaces: ['a', 'b'] });
    expect(hex(bytes)).toBe('a166737061636573826161' + '6162');
    expect(UnsubscribeParamsCodec.fromBytes(bytes).spaces).toEqual(['a', 'b']);
    expect(() => UnsubscribeParamsCodec.fromBytes(fromSdk({ spaces: [{ id: 'a' }] }))).toThrow(/spaces\[0\]/);
  });
});

describe('PROTO-10 push types', () => {
  it('PROTO-10 push params round-trip (push_params_roundtrip)', () => {
    const bytes = PushParamsCodec.toBytes({
      space: 'space-uuid',
      ucan: 'ucan-token',
      changes: [
        { id: 'rec-1', blob: utf8('data'), expected_cursor: 0, dek: filled(44, 0xbb) },
        { id: 'rec-2', expected_cursor: 5 },
      ],
    });
    const decoded = PushParamsCodec.fromBytes(bytes);
    expect(decoded.space).toBe('space-uuid');
    expect(decoded.ucan).toBe('ucan-token');
    expect(decoded.changes).toHaveLength(2);
    expect(decoded.changes[0]?.expected_cursor).toBe(0);
    expect(decoded.changes[0]?.dek).toEqual(filled(44, 0xbb));
    expect(decoded.changes[1]).toEqual({ id: 'rec-2', expected_cursor: 5 });
  });

  it('PROTO-10 push result round-trip (push_result_roundtrip)', () => {
    const ok = PushRpcResultCodec.fromBytes(
      PushRpcResultCodec.toBytes({ ok: true, cursor: 1549, error: '' }),
    );
    expect(ok).toEqual({ ok: true, cursor: 1549, error: '' });
    const conflict = PushRpcResultCodec.fromBytes(
      PushRpcResultCodec.toBytes({ ok: false, cursor: 1550, error: 'conflict' }),
    );
    expect(conflict.ok).toBe(false);
    expect(conflict.error).toBe('conflict');
  });

  it('PROTO-10 change without blob and dek decodes to both absent (interop_push_change_missing_blob_and_dek)', () => {
    const change = WsPushChangeCodec.fromBytes(fromSdk({ id: 'rec-1', expected_cursor: 5 }));
    expect(change).toEqual({ id: 'rec-1', expected_cursor: 5 });
    expect(change.blob).toBeUndefined();
    expect(change.dek).toBeUndefined();
  });

  it('PROTO-06 PROTO-10 a typed change with no blob round-trips absent; explicit null also reads absent (interop_push_with_explicit_null_blob)', () => {
    const typed = WsPushChangeCodec.toBytes({ id: 'rec-2', expected_cursor: 0 });
    expect(WsPushChangeCodec.fromBytes(typed)).toEqual({ id: 'rec-2', expected_cursor: 0 });
    // The reference test never put a null on the wire (protocol.md §8.5); this one does.
    const withNull = fromSdk({ id: 'rec-2', blob: null, expected_cursor: 0, dek: null });
    expect(hex(withNull)).toContain('64626c6f62f6');
    expect(WsPushChangeCodec.fromBytes(withNull)).toEqual({ id: 'rec-2', expected_cursor: 0 });
  });

  it('PROTO-10 missing ucan and empty changes decode to defaults (interop_push_params_missing_optional_ucan)', () => {
    const decoded = PushParamsCodec.fromBytes(fromSdk({ changes: [], space: 'space-1' }));
    expect(decoded).toEqual({ space: 'space-1', ucan: '', changes: [] });
  });

  it('PROTO-06 an empty byte string is present-and-empty, not absent', () => {
    const decoded = WsPushChangeCodec.fromBytes(
      fromSdk({ id: 'r', blob: new Uint8Array(0), expected_cursor: 1 }),
    );
    expect(decoded.blob).toEqual(new Uint8Array(0));
    expect(hex(WsPushChangeCodec.toBytes(decoded))).toContain('64626c6f6240');
  });

  it('PROTO-10 the SDK push request (sorted keys, blob/dek as bytes) decodes', () => {
    const bytes = fromSdk({
      space: 'space-1',
      changes: [{ id: 'rec-1', blob: utf8('x'), expected_cursor: 2, dek: filled(44, 1) }],
      ucan: 'u',
    });
    expect(PushParamsCodec.fromBytes(bytes).changes[0]?.dek).toHaveLength(44);
  });
});

describe('PROTO-11 pull types', () => {
  it('PROTO-11 pull params round-trip (pull_params_roundtrip)', () => {
    const bytes = PullParamsCodec.toBytes({
      spaces: [
        { id: 'space-1', since: 0, ucan: 'ucan' },
        { id: 'space-2', since: 1547 },
      ],
    });
    const decoded = PullParamsCodec.fromBytes(bytes);
    expect(decoded.spaces).toHaveLength(2);
    expect(decoded.spaces[0]?.ucan).toBe('ucan');
    expect(decoded.spaces[1]).toEqual({ id: 'space-2', since: 1547, ucan: '' });
  });

  it('PROTO-11 pull file data round-trip with cursor after dek (pull_file_data_roundtrip)', () => {
    const value = {
      space: 'space-uuid',
      id: 'file-1',
      record_id: 'record-3',
      size: 2_048_576,
      dek: filled(44, 0xcc),
      cursor: 7,
      deleted: false,
    };
    const bytes = WsPullFileDataCodec.toBytes(value);
    expect(Object.keys(decodeCbor(bytes) as object)).toEqual([
      'space',
      'id',
      'record_id',
      'size',
      'dek',
      'cursor',
    ]);
    const decoded = WsPullFileDataCodec.fromBytes(bytes);
    expect(decoded.size).toBe(2_048_576);
    expect(decoded.cursor).toBe(7);
    expect(decoded.record_id).toBe('record-3');
    expect(decoded).toEqual(value);
  });
});

describe('PROTO-12 token refresh', () => {
  it('PROTO-12 token refresh params and result round-trip (token_refresh_roundtrip)', () => {
    expect(
      TokenRefreshParamsCodec.fromBytes(TokenRefreshParamsCodec.toBytes({ token: 'jwt-token-here' })),
    ).toEqual({
      token: 'jwt-token-here',
    });
    const result = TokenRefreshResultCodec.toBytes({ ok: true });
    expect(hex(result)).toBe('a1626f6bf5');
    expect(TokenRefreshResultCodec.fromBytes(result)).toEqual({ ok: true, error: '' });
  });
});

describe('PROTO-13 notification payloads', () => {
  it('PROTO-13 sync data round-trip (sync_data_roundtrip)', () => {
    const bytes = WsSyncDataCodec.toBytes({
      space: 'space-uuid',
      prev: 1547,
      cursor: 1548,
      key_generation: 3,
      records: [
        { id: 'rec-1', blob: utf8('encrypted'), cursor: 1548, dek: filled(44, 0xaa) },
        { id: 'rec-2', cursor: 1548, deleted: true },
      ],
    });
    const decoded = WsSyncDataCodec.fromBytes(bytes);
    expect(decoded.space).toBe('space-uuid');
    expect(decoded.cursor).toBe(1548);
    expect(decoded.records).toHaveLength(2);
    expect(decoded.records[0]?.blob).toEqual(utf8('encrypted'));
    expect(decoded.records[0]?.deleted).toBe(false);
    expect(decoded.records[1]?.deleted).toBe(true);
    expect(decoded.rewrap_epoch).toBeUndefined();
  });

  it('PROTO-13 membership data round-trip (membership_data_roundtrip)', () => {
    const bytes = WsMembershipDataCodec.toBytes({
      space: 'space-uuid',
      cursor: 47,
      entries: [
        { chain_seq: 5, prev_hash: utf8('prev'), entry_hash: utf8('hash'), payload: utf8('payload') },
      ],
    });
    const decoded = WsMembershipDataCodec.fromBytes(bytes);
    expect(decoded.cursor).toBe(47);
    expect(decoded.entries[0]?.chain_seq).toBe(5);
    expect(decoded.entries[0]?.prev_hash).toEqual(utf8('prev'));
  });
});

describe('PROTO-17 membership types', () => {
  it('PROTO-17 since_seq 0 and missing ucan decode (interop_minimal_integer_encoding)', () => {
    // Lexically sorted keys, as the reference test builds them; cborg's length-first order also decodes.
    const bytes = unhex('a2 6973696e63655f736571 00 657370616365 6173');
    expect(MembershipListParamsCodec.fromBytes(bytes)).toEqual({ space: 's', ucan: '', since_seq: 0 });
    expect(MembershipListParamsCodec.fromBytes(fromSdk({ since_seq: 0, space: 's' }))).toEqual({
      space: 's',
      ucan: '',
      since_seq: 0,
    });
  });

  it('PROTO-17 append with absent optionals omits them and defaults on decode (interop_membership_append_with_absent_optional_fields)', () => {
    const bytes = MembershipAppendParamsCodec.toBytes({
      space: 'space-uuid',
      ucan: '',
      expected_version: 1,
      entry_hash: Uint8Array.of(4, 5, 6),
      payload: Uint8Array.of(7, 8, 9),
    });
    expect(Object.keys(decodeCbor(bytes) as object)).toEqual([
      'space',
      'expected_version',
      'entry_hash',
      'payload',
    ]);
    expect(MembershipAppendParamsCodec.fromBytes(bytes)).toEqual({
      space: 'space-uuid',
      ucan: '',
      expected_version: 1,
      entry_hash: Uint8Array.of(4, 5, 6),
      payload: Uint8Array.of(7, 8, 9),
    });
  });
});

describe('PROTO-18 epoch types', () => {
  it('PROTO-18 epoch conflict result writes rewrap_epoch only when set', () => {
    expect(
      Object.keys(decodeCbor(EpochConflictResultCodec.toBytes({ error: 'x', current_epoch: 2 })) as object),
    ).toEqual(['error', 'current_epoch']);
    const full = EpochConflictResultCodec.toBytes({
      error: 'epoch_conflict',
      current_epoch: 3,
      rewrap_epoch: 2,
    });
    expect(EpochConflictResultCodec.fromBytes(full)).toEqual({
      error: 'epoch_conflict',
      current_epoch: 3,
      rewrap_epoch: 2,
    });
  });
});

describe('PROTO-20 federation invitation types', () => {
  it('PROTO-20 params round-trip (federation_invitation_params_cbor_roundtrip)', () => {
    const value = { mailbox_id: 'abc123', payload: 'ciphertext' };
    expect(FederationInvitationParamsCodec.fromBytes(FederationInvitationParamsCodec.toBytes(value))).toEqual(
      value,
    );
  });

  it('PROTO-20 result round-trip (federation_invitation_result_cbor_roundtrip)', () => {
    expect(
      FederationInvitationResultCodec.fromBytes(FederationInvitationResultCodec.toBytes({ ok: true })),
    ).toEqual({
      ok: true,
    });
  });
});

describe('PROTO-21 storage and HTTP types', () => {
  it('PROTO-21 change round-trips byte-exact (change_cbor_roundtrip)', () => {
    const bytes = ChangeCodec.toBytes({ id: 'test-id', blob: utf8('hello'), cursor: 42 });
    expect(hex(bytes)).toBe('a362696467746573742d696464626c6f624568656c6c6f66637572736f72182a');
    expect(ChangeCodec.fromBytes(bytes)).toEqual({ id: 'test-id', blob: utf8('hello'), cursor: 42 });
  });

  it('PROTO-21 tombstone writes blob null and decodes deleted false (change_cbor_tombstone)', () => {
    const bytes = ChangeCodec.toBytes({ id: 'deleted-record', cursor: 5, deleted: true });
    expect(hex(bytes)).toBe(
      'a3626964' + '6e64656c657465642d7265636f7264' + '64626c6f62f6' + '66637572736f7205',
    );
    const decoded = ChangeCodec.fromBytes(bytes);
    expect(decoded.blob).toBeUndefined();
    expect(decoded.deleted).toBeUndefined();
    expect(isDeletedChange(decoded)).toBe(false);
  });

  it('PROTO-21 is_deleted depends only on the flag (change_is_deleted)', () => {
    expect(isDeletedChange({ deleted: true })).toBe(true);
    expect(isDeletedChange({ deleted: false })).toBe(false);
    expect(isDeletedChange({})).toBe(false);
  });

  it('PROTO-21 empty blob round-trips as present-and-empty (change_cbor_empty_blob)', () => {
    const bytes = ChangeCodec.toBytes({ id: 'e', blob: new Uint8Array(0), cursor: 1 });
    expect(hex(bytes)).toContain('64626c6f6240');
    expect(ChangeCodec.fromBytes(bytes).blob).toEqual(new Uint8Array(0));
  });

  it('PROTO-21 binary blob 0x00..0xff round-trips (change_cbor_binary_data)', () => {
    const blob = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(ChangeCodec.fromBytes(ChangeCodec.toBytes({ id: 'b', blob, cursor: 1 })).blob).toEqual(blob);
  });

  it('PROTO-21 cursor 0 round-trips (change_cbor_zero_cursor)', () => {
    expect(ChangeCodec.fromBytes(ChangeCodec.toBytes({ id: 'z', cursor: 0 })).cursor).toBe(0);
  });

  it('PROTO-21 cursor i64::MAX round-trips byte-exact as a bigint (change_cbor_large_cursor)', () => {
    const bytes = ChangeCodec.toBytes({ id: 'm', cursor: 9223372036854775807n });
    expect(hex(bytes)).toContain('66637572736f721b7fffffffffffffff');
    expect(ChangeCodec.fromBytes(bytes).cursor).toBe(9223372036854775807n);
    const safe = ChangeCodec.toBytes({ id: 'm', cursor: Number.MAX_SAFE_INTEGER });
    expect(ChangeCodec.fromBytes(safe).cursor).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('PROTO-21 space row keeps declared order and optional fields', () => {
    const value = {
      id: 'sp',
      client_id: 'c',
      key_generation: 1,
      min_key_generation: 0,
      metadata_version: 2,
      cursor: 9,
      home_server: 'https://peer',
    };
    const bytes = SpaceCodec.toBytes(value);
    expect(Object.keys(decodeCbor(bytes) as object)).toEqual([
      'id',
      'client_id',
      'key_generation',
      'min_key_generation',
      'metadata_version',
      'cursor',
      'home_server',
    ]);
    expect(SpaceCodec.fromBytes(bytes)).toEqual(value);
  });

  it('PROTO-21 error response JSON round-trips (error_response_json_roundtrip, error_response_json_empty_error)', () => {
    expect(errorResponseJson('something went wrong')).toBe('{"error":"something went wrong"}');
    expect(parseErrorResponse('{"error":"something went wrong"}')).toEqual({ error: 'something went wrong' });
    expect(parseErrorResponse('{"error":""}')).toEqual({ error: '' });
    expect(parseErrorResponse('{"error":1}')).toBeUndefined();
    expect(parseErrorResponse('[]')).toBeUndefined();
    expect(parseErrorResponse('not json')).toBeUndefined();
  });
});
