import { describe, expect, it, vi } from 'vitest';
import {
  type Config,
  ConfigError,
  exitWithStartupError,
  type FatalErrorSink,
  formatFatalError,
  loadConfig,
  loadConfigOrExit,
} from '../../src/index.js';
import { fixedRandom, load, loadError, REFERENCE_ENV } from './helpers.js';

/** One bad value per step, in CONFIG-01 order (ours appended after the reference's). */
const BAD_IN_ORDER: Array<[string, string]> = [
  ['LISTEN_ADDR', 'localhost:5379'],
  ['DATABASE_URL', 'mysql://db/x'],
  ['TRUSTED_ISSUERS', 'not-a-url'],
  ['FILE_STORAGE_BACKEND', 'gcs'],
  ['MAX_FILE_SIZE', '0'],
  ['IDENTITY_HASH_KEY', 'zz'],
  ['FEDERATION_MAX_SPACES', '0'],
  ['FEDERATION_TRUSTED_KEYS', 'garbage'],
  ['RATE_LIMIT_MEMBERSHIP_APPEND_MAX', 'x'],
  ['JWT_CLOCK_LEEWAY_SECONDS', 'x'],
  ['MIGRATE_ON_START', 'x'],
  ['LOG_LEVEL', 'x'],
  ['SHUTDOWN_TIMEOUT_MS', 'x'],
  ['PUBLIC_URL', 'x'],
];

class ExitCalled extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

function fakeSink(): FatalErrorSink & { stderr: string[] } {
  const stderr: string[] = [];
  return {
    stderr,
    writeStderr: (text) => {
      stderr.push(text);
    },
    exit: (code) => {
      throw new ExitCalled(code);
    },
  };
}

describe('loadConfig (CONFIG-01)', () => {
  it('CONFIG-01 parse order: the first bad variable in order wins', () => {
    for (let i = 0; i < BAD_IN_ORDER.length; i++) {
      const env = Object.fromEntries(BAD_IN_ORDER.slice(i));
      expect(loadError(env).variable).toBe(BAD_IN_ORDER[i]?.[0]);
    }
  });

  it('CONFIG-01 the key-domain cross check comes after every key parsed', () => {
    const key = Buffer.alloc(32, 1).toString('base64url');
    const error = loadError({
      FEDERATION_TRUSTED_DOMAINS: 'other.example',
      FEDERATION_TRUSTED_KEYS: `https://peer.example/k#1=${key} https://x.example/k#2=short`,
    });
    expect(error.message).toBe('invalid federation key payload for "https://x.example/k#2"');
  });

  it('CONFIG-01 the error message of every bad variable names it', () => {
    for (const [name, value] of BAD_IN_ORDER) {
      const error = loadError({ [name]: value });
      expect(error.variable).toBe(name);
      expect(error.message).toContain(name === 'TRUSTED_ISSUERS' ? 'issuer URL' : name);
    }
  });

  it('CONFIG-01 exitWithStartupError prints "Error: <message>" to stderr and exits 1', () => {
    const sink = fakeSink();
    expect(() => exitWithStartupError(new ConfigError('LOG_LEVEL', 'bad level'), sink)).toThrow(ExitCalled);
    expect(sink.stderr).toEqual(['Error: bad level\n']);
    expect(() => exitWithStartupError('plain string', sink)).toThrow(new ExitCalled(1));
    expect(sink.stderr[1]).toBe('Error: plain string\n');
    expect(formatFatalError(new Error('connect ECONNREFUSED'))).toBe('Error: connect ECONNREFUSED\n');
  });

  it('CONFIG-01 by default the real stderr and process.exit(1) are used', () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const exit = vi.spyOn(process, 'exit').mockImplementation((code) => {
      throw new ExitCalled(Number(code));
    });
    try {
      expect(() => loadConfigOrExit({ LOG_LEVEL: 'loud' })).toThrow(new ExitCalled(1));
      expect(write).toHaveBeenCalledWith(
        'Error: invalid LOG_LEVEL value "loud": expected one of fatal, error, warn, info, debug, trace, silent\n',
      );
      expect(exit).toHaveBeenCalledWith(1);
    } finally {
      write.mockRestore();
      exit.mockRestore();
    }
  });

  it('CONFIG-01 loadConfigOrExit: returns the config, or prints and exits 1 before anything else', () => {
    const sink = fakeSink();
    const config = loadConfigOrExit(REFERENCE_ENV, sink, { randomBytes: fixedRandom });
    expect(config.listenAddr.text).toBe('0.0.0.0:5379');
    expect(sink.stderr).toEqual([]);
    let code: number | undefined;
    try {
      loadConfigOrExit({ ...REFERENCE_ENV, LISTEN_ADDR: 'nope' }, sink);
    } catch (error) {
      code = (error as ExitCalled).code;
    }
    expect(code).toBe(1);
    expect(sink.stderr).toEqual([
      'Error: invalid LISTEN_ADDR "nope": invalid socket address syntax (expected IPv4:port or [IPv6]:port)\n',
    ]);
  });

  it('CONFIG-01 reads only the object it is given (no process.env)', () => {
    const saved = process.env.LISTEN_ADDR;
    process.env.LISTEN_ADDR = 'garbage';
    try {
      expect(load().listenAddr.text).toBe('0.0.0.0:5379');
    } finally {
      if (saved === undefined) delete process.env.LISTEN_ADDR;
      else process.env.LISTEN_ADDR = saved;
    }
  });

  it('CONFIG-01 the configuration is deeply immutable', () => {
    const config = load({ AUDIENCES: 'a', FEDERATION_TRUSTED_DOMAINS: 'x.example' });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.listenAddr)).toBe(true);
    expect(Object.isFrozen(config.issuers)).toBe(true);
    expect(Object.isFrozen(config.issuers[0])).toBe(true);
    expect(Object.isFrozen(config.federation.quotas)).toBe(true);
    expect(Object.isFrozen(config.rateLimits.spaceCreate)).toBe(true);
    expect(Object.isFrozen(config.warnings)).toBe(true);
    expect(() => {
      (config as { logLevel: string }).logLevel = 'trace';
    }).toThrow(TypeError);
    expect(() => {
      (config.audiences as string[]).push('b');
    }).toThrow(TypeError);
  });

  it('R23 zero-config start: no variables at all gives a usable local server', () => {
    const config: Config = loadConfig({}, { randomBytes: fixedRandom });
    expect(config).toEqual({
      nodeEnv: undefined,
      production: false,
      listenAddr: { host: '127.0.0.1', port: 5379, family: 4, text: '127.0.0.1:5379' },
      dataDir: './data',
      database: { kind: 'embedded', dir: './data/pglite' },
      broker: { kind: 'memory' },
      cluster: { heartbeatMs: 5000, deadAfterMs: 15000 },
      issuers: [],
      devIssuer: true,
      audiences: [],
      fileStorage: { kind: 'local', path: './data/files' },
      maxFileSize: 104_857_600,
      identityHashKey: { key: new Uint8Array(32).fill(9), generated: true },
      federation: {
        trustedDomains: [],
        trustedKeys: [],
        inboundEnabled: false,
        fstSecret: undefined,
        fstPreviousSecret: undefined,
        quotas: {
          maxSpaces: 1000,
          maxRecordsPerHour: 10_000,
          maxBytesPerHour: 524_288_000,
          maxInvitationsPerHour: 100,
          maxConnections: 3,
        },
        domain: undefined,
        outbound: {
          callTimeoutMs: 5000,
          reconnectMaxMs: 30_000,
          peerUrls: {},
          caFile: undefined,
          nodeExtraCaFile: undefined,
        },
      },
      rateLimits: {
        membershipAppend: { max: 10, windowSeconds: 3600 },
        invitationCreate: { max: 10, windowSeconds: 3600 },
        spaceCreate: { max: 100, windowSeconds: 3600 },
      },
      jwt: { clockLeewaySeconds: 60, allowMissingExp: false },
      migrateOnStart: true,
      logLevel: 'info',
      shutdownTimeoutMs: 10_000,
      publicUrl: undefined,
      capacity: expect.objectContaining({ poolSize: 10, writeReserve: 3 }),
      warnings: [
        'IDENTITY_HASH_KEY is not set: a random key is generated once and stored in the database, so every ' +
          'instance and every restart share it; set IDENTITY_HASH_KEY to 64 hex characters to manage it yourself',
      ],
      limits: {
        authFrameMaxBytes: 65_536,
        maxConnectionsPerIp: 256,
        maxConnectionsPerUser: 32,
        httpHeadersTimeoutMs: 30_000,
        httpRequestTimeoutMs: 900_000,
        uploadIdleTimeoutMs: 30_000,
      },
    });
  });

  it('CONFIG-01 a fully configured production environment gives no warnings', () => {
    const config = load({
      NODE_ENV: 'production',
      FILE_STORAGE_BACKEND: 'local',
      IDENTITY_HASH_KEY: '0'.repeat(64),
    });
    expect(config.production).toBe(true);
    expect(config.nodeEnv).toBe('production');
    expect(config.warnings).toEqual([]);
  });
});
