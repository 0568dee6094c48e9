import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CborDecodeError,
  CborFloat,
  decodeCbor,
  decodeFederationNotification,
  encodeCbor,
  FEDERATION_REBROADCAST_METHODS,
  FederationInvitationParamsCodec,
  FederationInvitationResultCodec,
  isFederationRebroadcastMethod,
  ProtocolDecodeError,
  type WireValue,
  WsSyncDataCodec,
} from '../src/index.js';

const wire: fc.Arbitrary<WireValue> = fc.letrec<{ v: WireValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.maxSafeInteger(),
    fc.string({ maxLength: 40 }),
    fc.uint8Array({ maxLength: 16 }),
    fc.double({ noNaN: true }).map((d) => new CborFloat(d)),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(
      fc.constantFrom(
        'space',
        'prev',
        'cursor',
        'key_generation',
        'records',
        'entries',
        'files',
        'reason',
        'id',
      ),
      tie('v'),
      { maxKeys: 6 },
    ),
  ),
})).v;

describe('FED-RPC-01 / FED-RPC-09 federation frame decoder', () => {
  it('federation_invitation_params_cbor_roundtrip and federation_invitation_result_cbor_roundtrip', () => {
    const params = { mailbox_id: 'a'.repeat(64), payload: 'sealed' };
    expect(
      FederationInvitationParamsCodec.fromBytes(FederationInvitationParamsCodec.toBytes(params)),
    ).toEqual(params);
    expect(
      FederationInvitationResultCodec.fromBytes(FederationInvitationResultCodec.toBytes({ ok: true })),
    ).toEqual({
      ok: true,
    });
  });

  it('decodes the four re-broadcast kinds and ignores every other method', () => {
    expect(FEDERATION_REBROADCAST_METHODS).toEqual(['sync', 'membership', 'file', 'revoked']);
    expect(isFederationRebroadcastMethod('presence')).toBe(false);
    expect(decodeFederationNotification('presence.set', { space: 's' })).toBeUndefined();
    const sync = decodeFederationNotification('sync', {
      space: 's',
      prev: 1,
      cursor: 2,
      key_generation: 3,
      records: [{ id: 'r', cursor: 2, unknown: 'dropped' }],
    });
    expect(sync).toMatchObject({ method: 'sync', space: 's', params: { key_generation: 3 } });
    expect(decodeFederationNotification('revoked', { space: 's', reason: 'x' })).toMatchObject({
      space: 's',
    });
    expect(decodeFederationNotification('membership', { space: 's', cursor: 1, entries: [] })?.method).toBe(
      'membership',
    );
    expect(decodeFederationNotification('file', { space: 's', cursor: 1, files: [] })?.method).toBe('file');
    expect(() => decodeFederationNotification('sync', undefined)).toThrow(ProtocolDecodeError);
  });

  it('R2 any wire value as params raises only ProtocolDecodeError (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...FEDERATION_REBROADCAST_METHODS), wire, (method, params) => {
        try {
          const decoded = decodeFederationNotification(method, params);
          expect(decoded?.method).toBe(method);
        } catch (err) {
          if (!(err instanceof ProtocolDecodeError)) throw err;
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('R2 mutated sync frames decode or fail with the typed errors only (property)', () => {
    const valid = WsSyncDataCodec.toBytes({
      space: 'space-1',
      prev: 0,
      cursor: 1,
      key_generation: 1,
      records: [{ id: 'r', cursor: 1, blob: Uint8Array.of(1, 2) }],
    });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 0, max: 255 })), {
          maxLength: 4,
        }),
        fc.nat({ max: valid.length }),
        (edits, cut) => {
          const bytes = Uint8Array.from(valid);
          for (const [at, value] of edits) bytes[at] = value;
          try {
            decodeFederationNotification('sync', decodeCbor(bytes.subarray(0, cut)));
          } catch (err) {
            if (!(err instanceof ProtocolDecodeError || err instanceof CborDecodeError)) throw err;
          }
        },
      ),
      { numRuns: 2000 },
    );
    expect(decodeFederationNotification('sync', decodeCbor(encodeCbor(decodeCbor(valid))))?.space).toBe(
      'space-1',
    );
  });
});
