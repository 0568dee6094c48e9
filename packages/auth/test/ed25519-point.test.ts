import { createHash, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ed25519PublicKeyBytes, isEd25519Point } from '../src/index.js';

describe('Ed25519 point check (FED-KEY-02, FED-KEY-05)', () => {
  it('FED-KEY-02 accepts real public keys', () => {
    for (let i = 0; i < 20; i++) {
      const { publicKey } = generateKeyPairSync('ed25519');
      expect(isEd25519Point(ed25519PublicKeyBytes(publicKey))).toBe(true);
    }
  });

  it('FED-KEY-05 refuses bytes that are not on the curve and wrong lengths', () => {
    // y = 2: (y²−1)/(d·y²+1) is not a square mod p, so no x exists.
    const y2 = new Uint8Array(32);
    y2[0] = 2;
    expect(isEd25519Point(y2)).toBe(false);
    expect(isEd25519Point(new Uint8Array(31))).toBe(false);
    expect(isEd25519Point(new Uint8Array(33))).toBe(false);
    // y = 1 is the neutral element (x = 0), a valid encoding.
    const one = new Uint8Array(32);
    one[0] = 1;
    expect(isEd25519Point(one)).toBe(true);
  });

  it('FED-KEY-05 a good share of arbitrary 32-byte strings are refused (about half are not points)', () => {
    let refused = 0;
    for (let i = 0; i < 64; i++) {
      const bytes = createHash('sha256').update(`sample ${i}`).digest();
      if (!isEd25519Point(bytes)) refused++;
    }
    expect(refused).toBeGreaterThan(5);
    expect(refused).toBeLessThan(60);
  });

  it('FED-KEY-05 non-canonical encodings are refused: y ≥ p, and x = 0 with the sign bit set', () => {
    const p = (1n << 255n) - 19n;
    const bytes = new Uint8Array(32);
    let v = p + 1n; // y = p + 1 ≡ 1, a point only when encoded canonically
    for (let i = 0; i < 32; i++) {
      bytes[i] = Number(v & 0xffn);
      v >>= 8n;
    }
    expect(isEd25519Point(bytes)).toBe(false);
    const negativeZero = new Uint8Array(32);
    negativeZero[0] = 1; // y = 1 → x = 0
    negativeZero[31] = 0x80;
    expect(isEd25519Point(negativeZero)).toBe(false);
  });
});
