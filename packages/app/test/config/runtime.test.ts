import { describe, expect, it } from 'vitest';
import { load, loadError } from './helpers.js';

describe('settings the reference did not have', () => {
  it('R12 rate limits default to the reference windows (10/hour) plus space.create 100/hour', () => {
    expect(load().rateLimits).toEqual({
      membershipAppend: { max: 10, windowSeconds: 3600 },
      invitationCreate: { max: 10, windowSeconds: 3600 },
      spaceCreate: { max: 100, windowSeconds: 3600 },
    });
  });

  it('R12 each rate limit is configurable; 0 turns one limit off', () => {
    const config = load({
      RATE_LIMIT_MEMBERSHIP_APPEND_MAX: '5',
      RATE_LIMIT_MEMBERSHIP_APPEND_WINDOW_SECONDS: '60',
      RATE_LIMIT_INVITATION_CREATE_MAX: '0',
      RATE_LIMIT_SPACE_CREATE_MAX: '7',
      RATE_LIMIT_SPACE_CREATE_WINDOW_SECONDS: '86400',
    });
    expect(config.rateLimits).toEqual({
      membershipAppend: { max: 5, windowSeconds: 60 },
      invitationCreate: { max: 0, windowSeconds: 3600 },
      spaceCreate: { max: 7, windowSeconds: 86_400 },
    });
  });

  it.each(['MEMBERSHIP_APPEND', 'INVITATION_CREATE', 'SPACE_CREATE'])(
    'R12 RATE_LIMIT_%s_* bad values',
    (action) => {
      const max = `RATE_LIMIT_${action}_MAX`;
      const window = `RATE_LIMIT_${action}_WINDOW_SECONDS`;
      expect(loadError({ [max]: 'lots' }).message).toBe(
        `invalid ${max} value "lots": invalid digit found in string`,
      );
      expect(loadError({ [window]: '0' }).message).toBe(`${window} must be greater than zero`);
      expect(loadError({ [window]: '86401' }).message).toBe(`${window} must be at most 86400`);
    },
  );

  it('R14 JWT defaults: 60 s leeway, tokens without exp refused', () => {
    expect(load().jwt).toEqual({ clockLeewaySeconds: 60, allowMissingExp: false });
  });

  it('R14 JWT_CLOCK_LEEWAY_SECONDS and JWT_ALLOW_MISSING_EXP are configurable', () => {
    expect(load({ JWT_CLOCK_LEEWAY_SECONDS: '0', JWT_ALLOW_MISSING_EXP: 'true' }).jwt).toEqual({
      clockLeewaySeconds: 0,
      allowMissingExp: true,
    });
    expect(load({ JWT_CLOCK_LEEWAY_SECONDS: '3600' }).jwt.clockLeewaySeconds).toBe(3600);
  });

  it('R14 bad JWT settings name the variable', () => {
    expect(loadError({ JWT_CLOCK_LEEWAY_SECONDS: '60000' }).message).toBe(
      'JWT_CLOCK_LEEWAY_SECONDS must be at most 3600',
    );
    expect(loadError({ JWT_CLOCK_LEEWAY_SECONDS: '1m' }).message).toBe(
      'invalid JWT_CLOCK_LEEWAY_SECONDS value "1m": invalid digit found in string',
    );
    expect(loadError({ JWT_ALLOW_MISSING_EXP: 'maybe' }).message).toBe(
      'invalid JWT_ALLOW_MISSING_EXP value "maybe": expected true or false',
    );
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['yes', true],
    ['on', true],
    ['false', false],
    ['0', false],
    ['No', false],
    ['off', false],
    ['', true],
  ])('MIGRATE_ON_START=%j → %s (default true)', (value, expected) => {
    expect(load({ MIGRATE_ON_START: value }).migrateOnStart).toBe(expected);
  });

  it('MIGRATE_ON_START defaults to true and refuses other words', () => {
    expect(load().migrateOnStart).toBe(true);
    expect(loadError({ MIGRATE_ON_START: 'sometimes' }).variable).toBe('MIGRATE_ON_START');
  });

  it('R24 SHUTDOWN_TIMEOUT_MS defaults to 10 s and must be positive', () => {
    expect(load().shutdownTimeoutMs).toBe(10_000);
    expect(load({ SHUTDOWN_TIMEOUT_MS: '2500' }).shutdownTimeoutMs).toBe(2500);
    expect(loadError({ SHUTDOWN_TIMEOUT_MS: '0' }).message).toBe(
      'SHUTDOWN_TIMEOUT_MS must be greater than zero',
    );
    expect(loadError({ SHUTDOWN_TIMEOUT_MS: '10s' }).variable).toBe('SHUTDOWN_TIMEOUT_MS');
  });

  it('CONFIG-10 LOG_LEVEL defaults to info (the reference showed errors only)', () => {
    expect(load().logLevel).toBe('info');
  });

  it.each(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])(
    'CONFIG-10 LOG_LEVEL=%s',
    (level) => {
      expect(load({ LOG_LEVEL: level.toUpperCase() }).logLevel).toBe(level);
    },
  );

  it('CONFIG-10 an unknown LOG_LEVEL is fatal', () => {
    expect(loadError({ LOG_LEVEL: 'verbose' }).message).toBe(
      'invalid LOG_LEVEL value "verbose": expected one of fatal, error, warn, info, debug, trace, silent',
    );
  });

  it.each([
    ['error', 'error'],
    ['WARN', 'warn'],
    ['info', 'info'],
    ['debug', 'debug'],
    ['trace', 'trace'],
    ['off', 'silent'],
  ])('CONFIG-10 RUST_LOG=%s is honoured as %s when LOG_LEVEL is unset', (value, level) => {
    expect(load({ RUST_LOG: value }).logLevel).toBe(level);
    expect(load({ RUST_LOG: value, LOG_LEVEL: 'fatal' }).logLevel).toBe('fatal');
  });

  it('CONFIG-10 a RUST_LOG directive list is ignored with a warning, never fatal', () => {
    const config = load({ RUST_LOG: 'betterbase_sync=debug,tower=info' });
    expect(config.logLevel).toBe('info');
    expect(config.warnings).toContain(
      'RUST_LOG "betterbase_sync=debug,tower=info" is not a plain level and is ignored; use LOG_LEVEL instead',
    );
  });

  it('R16 PUBLIC_URL is optional and kept without a trailing slash', () => {
    expect(load().publicUrl).toBeUndefined();
    expect(load({ PUBLIC_URL: 'https://Sync.Example.com/' }).publicUrl).toBe('https://sync.example.com');
    expect(load({ PUBLIC_URL: 'wss://sync.example.com:8443/base/' }).publicUrl).toBe(
      'wss://sync.example.com:8443/base',
    );
    expect(load({ PUBLIC_URL: ' ' }).publicUrl).toBeUndefined();
  });

  it.each([
    ['sync.example.com', 'invalid PUBLIC_URL "sync.example.com": relative URL without a base'],
    [
      'ftp://sync.example.com',
      'invalid PUBLIC_URL "ftp://sync.example.com": must use http, https, ws or wss',
    ],
    ['https://[bad', 'invalid PUBLIC_URL "https://[bad": invalid URL'],
    [
      'https://sync.example.com/?a=1',
      'invalid PUBLIC_URL "https://sync.example.com/?a=1": must be a base URL without credentials, query or fragment',
    ],
    [
      'https://u:p@sync.example.com',
      'invalid PUBLIC_URL "https://u:p@sync.example.com": must be a base URL without credentials, query or fragment',
    ],
  ])('R16 PUBLIC_URL %j → %s', (value, message) => {
    expect(loadError({ PUBLIC_URL: value }).message).toBe(message);
  });
});
