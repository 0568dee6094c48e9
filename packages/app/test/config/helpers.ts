import { type Config, type ConfigError, ConfigErrors, type Env, loadConfig } from '../../src/index.js';

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

/** Everything `loadConfig` reports for this environment (fails the test if it does not throw). */
export function loadErrors(overrides: Env = {}, base: Env = REFERENCE_ENV): ConfigErrors {
  try {
    load(overrides, base);
  } catch (error) {
    if (error instanceof ConfigErrors) return error;
    throw error;
  }
  throw new Error('expected loadConfig to throw ConfigErrors');
}

/** The first ConfigError, as its parser raised it (the message in the reference's wording). */
export function loadError(overrides: Env = {}, base: Env = REFERENCE_ENV): ConfigError {
  const first = loadErrors(overrides, base).errors[0];
  if (first === undefined) throw new Error('ConfigErrors without errors');
  return first;
}
