import { ConfigError } from './errors.js';
import type { Env } from './types.js';

/** The value, or undefined when unset or blank after trimming. */
export function readTrimmed(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** Rust's unsigned-integer parser accepts an optional `+` and decimal digits only. */
const UNSIGNED = /^\+?[0-9]+$/;

/**
 * An unsigned integer (FED-QUOTA-01 style): trimmed, unset or empty → `fallback`; non-numeric →
 * `invalid <NAME> value "<raw>": <reason>`; zero (when `allowZero` is false) → `<NAME> must be greater than zero`.
 * Values beyond 2^53 − 1 are refused as too large (JS numbers stay exact below that).
 */
export function readUnsigned(
  env: Env,
  name: string,
  fallback: number,
  opts: { allowZero?: boolean; max?: number } = {},
): number {
  const raw = readTrimmed(env, name);
  if (raw === undefined) return fallback;
  if (!UNSIGNED.test(raw)) {
    throw new ConfigError(name, `invalid ${name} value ${quote(raw)}: invalid digit found in string`);
  }
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) {
    throw new ConfigError(
      name,
      `invalid ${name} value ${quote(raw)}: number too large to fit in target type`,
    );
  }
  if (value === 0 && !opts.allowZero) {
    throw new ConfigError(name, `${name} must be greater than zero`);
  }
  if (opts.max !== undefined && value > opts.max) {
    throw new ConfigError(name, `${name} must be at most ${opts.max}`);
  }
  return value;
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

/** A boolean: true/false, 1/0, yes/no, on/off (any case); unset or empty → `fallback`. */
export function readBoolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = readTrimmed(env, name);
  if (raw === undefined) return fallback;
  const word = raw.toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  throw new ConfigError(name, `invalid ${name} value ${quote(raw)}: expected true or false`);
}

/** Double-quoted and escaped like Rust's `{:?}`, so messages match the reference's. */
export function quote(value: string): string {
  return JSON.stringify(value);
}
