import { type Config, ConfigError, type Env, loadConfig } from '../../src/index.js';

/** A configuration the reference accepts: a real database URL and one trusted issuer. */
export const REFERENCE_ENV: Env = {
  DATABASE_URL: 'postgres://localhost/less-sync',
  TRUSTED_ISSUERS: 'https://accounts.less.so',
};

/** Deterministic stand-in for the generated identity hash key. */
export const fixedRandom = (size: number): Uint8Array => new Uint8Array(size).fill(9);

export function load(overrides: Env = {}, base: Env = REFERENCE_ENV): Config {
  return loadConfig({ ...base, ...overrides }, { randomBytes: fixedRandom });
}

/** The ConfigError `loadConfig` throws for this environment (fails the test if it does not throw one). */
export function loadError(overrides: Env = {}, base: Env = REFERENCE_ENV): ConfigError {
  try {
    load(overrides, base);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected loadConfig to throw a ConfigError');
}
