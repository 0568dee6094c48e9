import { describe, expect, it } from 'vitest';
import {
  formatRfc3339Micros,
  invitationResult,
  TimestampFormatError,
} from '../../../src/rpc/invitation/format.js';
import {
  MAX_INVITATION_PAYLOAD_BYTES,
  validateInvitationInput,
} from '../../../src/rpc/invitation/validate.js';

const MAILBOX = 'a'.repeat(64);

describe('invitation result formatting', () => {
  it('RPC-INV-1 whole seconds carry no fraction and end in Z', () => {
    expect(formatRfc3339Micros(1_700_000_000_000_000)).toBe('2023-11-14T22:13:20Z');
  });

  it('RPC-INV-1 fractions are microseconds with trailing zeros trimmed', () => {
    expect(formatRfc3339Micros(1_700_000_000_500_000)).toBe('2023-11-14T22:13:20.5Z');
    expect(formatRfc3339Micros(1_700_000_000_000_001)).toBe('2023-11-14T22:13:20.000001Z');
    expect(formatRfc3339Micros(1_700_000_000_123_450)).toBe('2023-11-14T22:13:20.12345Z');
  });

  it('RPC-INV-1 timestamps that are not exact microsecond counts are a format error', () => {
    expect(() => formatRfc3339Micros(2 ** 60)).toThrow(TimestampFormatError);
    expect(() => formatRfc3339Micros(0.5)).toThrow(TimestampFormatError);
    expect(() => formatRfc3339Micros(Number.NaN)).toThrow(TimestampFormatError);
  });

  it('RPC-INV-1 instants before 1970 format with a positive fraction', () => {
    expect(formatRfc3339Micros(-1)).toBe('1969-12-31T23:59:59.999999Z');
  });

  it('RPC-INV-1 result shape: id, payload text, created_at, expires_at', () => {
    const created = 1_700_000_000_000_000;
    const result = invitationResult({
      id: 'f6ad58bc-5316-4f03-bcf7-f6ee4e6d1ed4',
      mailboxId: MAILBOX,
      payload: new TextEncoder().encode('ciphertext-1'),
      createdAt: new Date(created / 1000),
      expiresAt: new Date(created / 1000 + 604_800_000),
      createdAtMicros: created,
      expiresAtMicros: created + 604_800_000_000,
    });
    expect(result).toEqual({
      id: 'f6ad58bc-5316-4f03-bcf7-f6ee4e6d1ed4',
      payload: 'ciphertext-1',
      created_at: '2023-11-14T22:13:20Z',
      expires_at: '2023-11-21T22:13:20Z',
    });
  });

  it('RPC-INV-1 invalid UTF-8 in a stored payload is replaced, not fatal', () => {
    const result = invitationResult({
      id: 'x',
      mailboxId: MAILBOX,
      payload: Uint8Array.of(0x61, 0xff, 0x62),
      createdAt: new Date(0),
      expiresAt: new Date(0),
      createdAtMicros: 0,
      expiresAtMicros: 0,
    });
    expect(result.payload).toBe('a\ufffdb');
    expect(result.created_at).toBe('1970-01-01T00:00:00Z');
  });
});

describe('invitation input validation', () => {
  const reject = (mailbox: string, payload: string) => {
    try {
      validateInvitationInput(mailbox, payload);
    } catch (err) {
      return err as { code: string; detail: string };
    }
    return undefined;
  };

  it('RPC-INV-1 checks mailbox presence, then shape, then payload, then size', () => {
    expect(reject('', '')).toMatchObject({ code: 'bad_request', detail: 'missing mailbox_id' });
    expect(reject('not-a-hex-mailbox', '')).toMatchObject({
      code: 'bad_request',
      detail: 'mailbox_id must be 64-char hex string',
    });
    expect(reject('A'.repeat(64), 'x')).toMatchObject({ code: 'bad_request' });
    expect(reject('a'.repeat(63), 'x')).toMatchObject({ code: 'bad_request' });
    expect(reject(`${'a'.repeat(64)}\n`, 'x')).toMatchObject({ code: 'bad_request' });
    expect(reject(MAILBOX, '')).toMatchObject({ code: 'bad_request', detail: 'missing payload' });
    expect(reject(MAILBOX, 'a'.repeat(MAX_INVITATION_PAYLOAD_BYTES + 1))).toMatchObject({
      code: 'payload_too_large',
      detail: 'payload too large',
    });
  });

  it('RPC-INV-1 the size limit counts UTF-8 bytes and allows exactly 128 KiB', () => {
    expect(reject(MAILBOX, 'a'.repeat(MAX_INVITATION_PAYLOAD_BYTES))).toBeUndefined();
    // 65 537 two-byte characters: under the limit in UTF-16 units, over it in UTF-8 bytes.
    expect(reject(MAILBOX, 'é'.repeat(MAX_INVITATION_PAYLOAD_BYTES / 2 + 1))).toMatchObject({
      code: 'payload_too_large',
    });
  });
});
