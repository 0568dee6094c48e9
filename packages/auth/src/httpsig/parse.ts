import { decodeBase64Padded } from '../encoding/base64.js';

/** Parsed `Signature-Input` (HTTPSIG-04): label `sig`, one signature, keyid/alg/created only. */
export interface SignatureInput {
  readonly coveredComponents: readonly string[];
  readonly keyId: string;
  readonly algorithm: string;
  /** Unix seconds, ≥ 0. */
  readonly created: bigint;
}

const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

function trimQuotes(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && value[start] === '"') start++;
  while (end > start && value[end - 1] === '"') end--;
  return value.slice(start, end);
}

/** Rust's `i64::from_str`, including its error texts, which end up in error details. */
function parseI64(text: string): bigint | string {
  if (text === '') return 'cannot parse integer from empty string';
  let index = 0;
  let negative = false;
  if (text[0] === '+' || text[0] === '-') {
    negative = text[0] === '-';
    index = 1;
    if (text.length === 1) return 'invalid digit found in string';
  }
  let value = 0n;
  for (; index < text.length; index++) {
    const digit = text.charCodeAt(index) - 0x30;
    if (digit < 0 || digit > 9) return 'invalid digit found in string';
    value = value * 10n + BigInt(negative ? -digit : digit);
    if (value > I64_MAX) return 'number too large to fit in target type';
    if (value < I64_MIN) return 'number too small to fit in target type';
  }
  return value;
}

/** Returns the parsed input, or the reference's error message. */
export function parseSignatureInput(input: string): SignatureInput | string {
  if (!input.startsWith('sig=')) return 'expected sig= prefix';
  if (input[4] !== '(') return 'expected ( after sig=';
  const rest = input.slice(5);
  const close = rest.indexOf(')');
  if (close < 0) return 'unclosed component list';
  const coveredComponents = rest
    .slice(0, close)
    .split(/[ \t]+/)
    .map(trimQuotes)
    .filter((part) => part !== '');

  let keyId: string | undefined;
  let algorithm: string | undefined;
  let created: bigint | undefined;
  for (const piece of rest.slice(close + 1).split(';')) {
    const pair = piece.trim();
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    if (name === 'keyid') keyId = trimQuotes(value);
    else if (name === 'alg') algorithm = trimQuotes(value);
    else if (name === 'created') {
      const parsed = parseI64(value);
      if (typeof parsed === 'string') return `invalid created timestamp: ${parsed}`;
      if (parsed < 0n) return 'invalid created timestamp: negative value';
      created = parsed;
    }
  }
  if (keyId === undefined) return 'missing keyid parameter';
  if (algorithm === undefined) return 'missing alg parameter';
  if (created === undefined) return 'missing created parameter';
  return { coveredComponents, keyId, algorithm, created };
}

/** HTTPSIG-05: `sig=:<padded standard base64 of 64 bytes>:`; returns the bytes or an error message. */
export function parseSignatureValue(header: string): Uint8Array | string {
  if (!header.startsWith('sig=:')) return 'expected sig=: prefix';
  const body = header.slice(5);
  if (!body.endsWith(':')) return 'expected trailing colon';
  let bytes: Uint8Array;
  try {
    bytes = decodeBase64Padded(body.slice(0, -1));
  } catch (error) {
    return (error as Error).message;
  }
  return bytes.byteLength === 64 ? bytes : 'malformed signature bytes';
}
