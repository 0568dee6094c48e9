import { JsonNumber, JsonObject, type JsonValue } from './json.js';

/**
 * Typed field readers with the reference's serde semantics (JWS-04): absent and `null` differ for
 * defaulted fields, integers must be written as plain non-negative integers, and a modelled field
 * that occurs twice is an error. Every failure throws `ClaimTypeError`.
 */

export class ClaimTypeError extends Error {
  override readonly name = 'ClaimTypeError';
}

/** A JWT/UCAN audience: one string, or an array of strings (possibly empty). */
export type Audience = string | readonly string[];

const U64_MAX = (1n << 64n) - 1n;
const PLAIN_INTEGER = /^(?:0|[1-9][0-9]*)$/;

export function asObject(value: JsonValue): JsonObject {
  if (!(value instanceof JsonObject)) throw new ClaimTypeError('expected a JSON object');
  return value;
}

function field(object: JsonObject, name: string): JsonValue | undefined {
  if (object.duplicates?.has(name)) throw new ClaimTypeError(`duplicate field ${name}`);
  return object.fields.get(name);
}

/** `String` with `#[serde(default)]`: absent → "", `null` or non-string → error. */
export function stringOrEmpty(object: JsonObject, name: string): string {
  const value = field(object, name);
  if (value === undefined) return '';
  if (typeof value !== 'string') throw new ClaimTypeError(`${name} must be a string`);
  return value;
}

/** `Option<String>`: absent or `null` → undefined, non-string → error. */
export function optionalString(object: JsonObject, name: string): string | undefined {
  const value = field(object, name);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ClaimTypeError(`${name} must be a string`);
  return value;
}

/** `Option<u64>`: absent or `null` → undefined; otherwise a plain integer in [0, 2^64-1]. */
export function optionalU64(object: JsonObject, name: string): bigint | undefined {
  const value = field(object, name);
  if (value === undefined || value === null) return undefined;
  if (!(value instanceof JsonNumber) || !PLAIN_INTEGER.test(value.raw)) {
    throw new ClaimTypeError(`${name} must be a non-negative integer`);
  }
  const parsed = BigInt(value.raw);
  if (parsed > U64_MAX) throw new ClaimTypeError(`${name} is out of range`);
  return parsed;
}

/** `Vec<String>` with `#[serde(default)]`: absent → [], `null` or a non-string element → error. */
export function stringArrayOrEmpty(object: JsonObject, name: string): string[] {
  const value = field(object, name);
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new ClaimTypeError(`${name} must be an array of strings`);
  for (const item of value) {
    if (typeof item !== 'string') throw new ClaimTypeError(`${name} must be an array of strings`);
  }
  return value as string[];
}

/** Untagged `Option<One(String) | Many(Vec<String>)>`: absent or `null` → undefined. */
export function optionalAudience(object: JsonObject, name: string): Audience | undefined {
  const value = field(object, name);
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value as string[];
  throw new ClaimTypeError(`${name} must be a string or an array of strings`);
}

/** The first audience, which is the only one UCAN checks look at. */
export function firstAudience(audience: Audience | undefined): string | undefined {
  if (audience === undefined || typeof audience === 'string') return audience;
  return audience[0];
}
