import { isIP } from 'node:net';
import type { ExtraRoute } from '@less-sync/api';
import { DEV_MAX_TTL_SECONDS, type DevIssuer } from './issuer.js';

export const DEV_TOKEN_PATH = '/dev/token';
export const DEV_JWKS_PATH = '/dev/jwks.json';

const NAME = /^[A-Za-z0-9._@+-]{1,128}$/;
const SCOPE = /^[A-Za-z0-9._:-]+( [A-Za-z0-9._:-]+){0,15}$/;

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

/** 127.0.0.0/8, ::1 and their IPv4-mapped forms. Undefined (an in-process call) counts as local. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return true;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isIP(v4) === 4) return v4.startsWith('127.');
  return address === '::1';
}

/**
 * `GET /dev/token?user=alice[&client=..][&did=did:key:..][&scope=..][&ttl=seconds]` → JSON with the token
 * and its claims; `GET /dev/jwks.json` → the key set. Both are public routes, answered only to loopback
 * peers (the server binds loopback anyway when the development issuer runs).
 */
export function devIssuerRoutes(issuer: DevIssuer): ExtraRoute[] {
  return [
    {
      path: DEV_TOKEN_PATH,
      public: true,
      methods: {
        GET: (request, info) => {
          if (!isLoopbackAddress(info.remoteAddress))
            return json(403, { error: 'development issuer is loopback only' });
          const params = new URL(request.url).searchParams;
          const user = params.get('user') ?? 'dev-user';
          const client = params.get('client') ?? undefined;
          const did = params.get('did') ?? undefined;
          const scope = params.get('scope') ?? undefined;
          const ttlRaw = params.get('ttl');
          if (!NAME.test(user))
            return json(400, { error: 'user must be 1-128 characters of A-Z a-z 0-9 . _ @ + -' });
          if (client !== undefined && !NAME.test(client)) return json(400, { error: 'invalid client' });
          if (did !== undefined && !/^did:key:z[1-9A-HJ-NP-Za-km-z]{1,128}$/.test(did)) {
            return json(400, { error: 'did must be a did:key' });
          }
          if (scope !== undefined && !SCOPE.test(scope)) return json(400, { error: 'invalid scope' });
          let ttlSeconds: number | undefined;
          if (ttlRaw !== null) {
            ttlSeconds = Number(ttlRaw);
            if (!/^[0-9]{1,8}$/.test(ttlRaw) || ttlSeconds < 1 || ttlSeconds > DEV_MAX_TTL_SECONDS) {
              return json(400, { error: `ttl must be 1..${DEV_MAX_TTL_SECONDS} seconds` });
            }
          }
          info.logger.info({ user, client }, 'development token issued');
          return json(200, issuer.mint({ user, client, did, scope, ttlSeconds }));
        },
      },
    },
    {
      path: DEV_JWKS_PATH,
      public: true,
      methods: {
        GET: (_request, info) =>
          isLoopbackAddress(info.remoteAddress)
            ? json(200, issuer.jwks())
            : json(403, { error: 'development issuer is loopback only' }),
      },
    },
  ];
}
