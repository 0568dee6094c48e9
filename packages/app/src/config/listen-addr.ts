import { isIPv4, isIPv6 } from 'node:net';
import { quote } from './env.js';
import { ConfigError } from './errors.js';
import type { Env, ListenAddr } from './types.js';

/** Reference default (all interfaces). */
export const PUBLIC_LISTEN_ADDR = '0.0.0.0:5379';
/** Our default for a zero-config start: loopback only, so the development issuer may run. */
export const LOOPBACK_LISTEN_ADDR = '127.0.0.1:5379';

/**
 * CONFIG-02 default, changed for the zero-config start: the reference's `0.0.0.0:5379` whenever the
 * server is configured like the reference (`TRUSTED_ISSUERS` set) or runs in production; otherwise
 * `127.0.0.1:5379`, so `pnpm start` with no variables binds loopback and gets the development issuer.
 */
export function defaultListenAddr(env: Env, production: boolean): string {
  const issuersConfigured = (env.TRUSTED_ISSUERS ?? '').trim() !== '';
  return production || issuersConfigured ? PUBLIC_LISTEN_ADDR : LOOPBACK_LISTEN_ADDR;
}

/**
 * CONFIG-02: a literal `IPv4:port` or `[IPv6]:port`; host names and empty values are refused, port 0
 * (ephemeral) is accepted.
 */
export function parseListenAddr(raw: string): ListenAddr {
  const parsed = splitHostPort(raw);
  if (parsed === undefined) {
    throw new ConfigError(
      'LISTEN_ADDR',
      `invalid LISTEN_ADDR ${quote(raw)}: invalid socket address syntax (expected IPv4:port or [IPv6]:port)`,
    );
  }
  return parsed;
}

function splitHostPort(raw: string): ListenAddr | undefined {
  const colon = raw.lastIndexOf(':');
  if (colon < 0) return undefined;
  const port = parsePort(raw.slice(colon + 1));
  if (port === undefined) return undefined;
  const hostPart = raw.slice(0, colon);
  if (hostPart.startsWith('[') && hostPart.endsWith(']')) {
    const inner = hostPart.slice(1, -1);
    // Zone ids (`%eth0`) are not socket-address syntax the server can bind portably.
    if (!isIPv6(inner) || inner.includes('%')) return undefined;
    const host = new URL(`http://[${inner}]/`).hostname.slice(1, -1);
    return { host, port, family: 6, text: `[${host}]:${port}` };
  }
  if (!isIPv4(hostPart)) return undefined;
  return { host: hostPart, port, family: 4, text: `${hostPart}:${port}` };
}

function parsePort(text: string): number | undefined {
  if (!/^[0-9]{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port <= 65535 ? port : undefined;
}

/** 127.0.0.0/8 or ::1: only then may the unauthenticated development issuer run. */
export function isLoopback(addr: ListenAddr): boolean {
  if (addr.family === 4) return addr.host.startsWith('127.');
  return addr.host === '::1';
}
