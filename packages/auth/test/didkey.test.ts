import { generateKeyPairSync } from 'node:crypto';
import { base58btc } from 'multiformats/bases/base58';
import { describe, expect, it } from 'vitest';
import { decodeVarint, encodeVarint } from '../src/didkey/varint.js';
import { compressPublicKey, DidKeyError, decodeDidKey, encodeDidKey } from '../src/index.js';

const KNOWN = 'did:key:zDnaerx9CtbPJ1q36T5Ln5wYt3MQYeGRG5ehnPAmxcf5mDZpv';
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

function kindOf(did: string): string | undefined {
  try {
    decodeDidKey(did);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(DidKeyError);
    return (error as DidKeyError).kind;
  }
}

function randomUncompressed(): Uint8Array {
  const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
  return Buffer.concat([
    Buffer.from([4]),
    Buffer.from(jwk.x as string, 'base64url'),
    Buffer.from(jwk.y as string, 'base64url'),
  ]);
}

describe('did:key', () => {
  it('DIDKEY-01 DIDKEY-03 decode_known_vector_roundtrips (TV-DIDKEY)', () => {
    const key = decodeDidKey(KNOWN);
    expect(hex(key.compressed)).toBe('038a0ac59a2d3086e8a12a78fd4773a6d52a0ca61ef6c1419e15a05bcc6dafce7b');
    expect(hex(key.uncompressed)).toBe(
      '04' +
        '8a0ac59a2d3086e8a12a78fd4773a6d52a0ca61ef6c1419e15a05bcc6dafce7b' +
        '79fb17e5bd74c7cca3cab8f89f2de919f2dc63b5dbcb52b382a39daa7b2b2483',
    );
    expect(hex(base58btc.baseDecode(KNOWN.slice('did:key:z'.length)))).toBe(
      '8024038a0ac59a2d3086e8a12a78fd4773a6d52a0ca61ef6c1419e15a05bcc6dafce7b',
    );
    expect(encodeDidKey(key.compressed)).toBe(KNOWN);
    expect(encodeDidKey(key.uncompressed)).toBe(KNOWN);
  });

  it('DIDKEY-03 TV-DIDKEY generator point', () => {
    const g = Buffer.from('036b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296', 'hex');
    const did = 'did:key:zDnaepsL7AXenJkVYdkh5KuKsSU7Ykh7kyXaLLU7auN9FWSiZ';
    expect(encodeDidKey(g)).toBe(did);
    expect(hex(decodeDidKey(did).compressed)).toBe(hex(g));
  });

  it('DIDKEY-01 DIDKEY-05 decode_invalid_inputs with their exact kinds (TV-DIDKEY)', () => {
    expect(kindOf('')).toBe('MissingPrefix');
    expect(kindOf('did:web:example.com')).toBe('MissingPrefix');
    expect(kindOf('did:key:abc')).toBe('MissingPrefix');
    expect(kindOf('did:key:z')).toBe('MissingPrefix');
    expect(kindOf('did:key:z0OOOl')).toBe('Base58Decode');
    expect(kindOf('did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK')).toBe('WrongMulticodec');
    expect(() => decodeDidKey('did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK')).toThrow(
      'expected P-256 multicodec 0x1200, got 0xed',
    );
    expect(() => decodeDidKey('did:key:zDnaerx9CtbPJ1q36T5Ln5wYt')).toThrow('got 0x5');
  });

  it('DIDKEY-01 length limit, varint errors, point length and point validity', () => {
    expect(kindOf(`did:key:z${'1'.repeat(257)}`)).toBe('InputTooLong');
    expect(kindOf(`did:key:z${'2'.repeat(256)}`)).not.toBe('InputTooLong');
    const encode = (bytes: number[]) => `did:key:${base58btc.encode(Uint8Array.from(bytes))}`;
    expect(kindOf(encode([0x80]))).toBe('InvalidVarint');
    expect(() => decodeDidKey(encode([0x80]))).toThrow('truncated');
    expect(() => decodeDidKey(encode(Array(11).fill(0x80)))).toThrow('too long');
    const point = Array.from(
      Buffer.from('036b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296', 'hex'),
    );
    expect(kindOf(encode([0x80, 0x24, ...point.slice(0, 32)]))).toBe('WrongPointLength');
    expect(kindOf(encode([0x80, 0x24, 0x04, ...point.slice(1)]))).toBe('InvalidPoint');
    // x = p (not a field element) and an x with no square root are both invalid points.
    const p = Array.from(
      Buffer.from('ffffffff00000001000000000000000000000000ffffffffffffffffffffffff', 'hex'),
    );
    expect(kindOf(encode([0x80, 0x24, 0x02, ...p]))).toBe('InvalidPoint');
    expect(kindOf(encode([0x80, 0x24, 0x02, ...Array(31).fill(0), 7]))).toBe('InvalidPoint');
  });

  it('DIDKEY-02 non-minimal varints are accepted; encoding is minimal', () => {
    const point = Buffer.from('036b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296', 'hex');
    const nonMinimal = `did:key:${base58btc.encode(Uint8Array.from([0x80, 0xa4, 0x00, ...point]))}`;
    expect(hex(decodeDidKey(nonMinimal).compressed)).toBe(hex(point));
    expect(Array.from(encodeVarint(0x1200n))).toEqual([0x80, 0x24]);
    expect(Array.from(encodeVarint(0n))).toEqual([0]);
    expect(decodeVarint(new Uint8Array(0))).toBe('truncated');
    expect(
      decodeVarint(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f])),
    ).toEqual([(1n << 64n) - 1n, 10]);
  });

  it('DIDKEY-01 DIDKEY-03 random_key_roundtrip', () => {
    const uncompressed = randomUncompressed();
    const did = encodeDidKey(uncompressed);
    expect(did.startsWith('did:key:zDn')).toBe(true);
    expect(hex(decodeDidKey(did).uncompressed)).toBe(hex(uncompressed));
  });

  it('DIDKEY-04 compressed_public_key_shape: 33 bytes, 0x02 for even y and 0x03 for odd y', () => {
    for (let i = 0; i < 8; i++) {
      const uncompressed = randomUncompressed();
      const compressed = compressPublicKey(uncompressed);
      expect(compressed.byteLength).toBe(33);
      expect(compressed[0]).toBe((uncompressed[64] as number) % 2 === 0 ? 2 : 3);
      expect(hex(compressed.subarray(1))).toBe(hex(uncompressed.subarray(1, 33)));
    }
    expect(() => compressPublicKey(new Uint8Array(32))).toThrow(DidKeyError);
    expect(() => compressPublicKey(Uint8Array.from([4, ...Array(64).fill(1)]))).toThrow(DidKeyError);
  });
});
