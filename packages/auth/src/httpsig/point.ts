/**
 * Ed25519 public-key validity: the 32 bytes must decompress to a point on the curve (RFC 8032
 * §5.1.3). Node's key import does not check this, so a wrong trusted or stored key would only show up
 * as failed signatures; checking it makes such configuration a startup error instead.
 */
const P = (1n << 255n) - 19n;
const D = (-121665n * modInverse(121666n)) % P;

export function isEd25519Point(bytes: Uint8Array): boolean {
  if (bytes.byteLength !== 32) return false;
  const sign = (bytes[31] ?? 0) >> 7; // the top bit is the sign of x
  let y = 0n;
  for (let i = 31; i >= 0; i--) y = (y << 8n) | BigInt(bytes[i] ?? 0);
  y &= (1n << 255n) - 1n;
  if (y >= P) return false; // non-canonical encoding
  const y2 = (y * y) % P;
  const u = (y2 - 1n + P) % P;
  const v = (((D * y2) % P) + 1n + P) % P;
  const x2 = (u * modInverse(v)) % P;
  // A square root of x² exists iff x² is 0 or a quadratic residue (Euler's criterion).
  if (x2 === 0n) return sign === 0; // x = 0 has no negative
  return modPow(x2, (P - 1n) / 2n) === 1n;
}

function modPow(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  let b = ((base % P) + P) % P;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
    e >>= 1n;
  }
  return result;
}

function modInverse(value: bigint): bigint {
  return modPow(value, P - 2n);
}
