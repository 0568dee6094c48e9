import { ProtocolDecodeError, RpcError } from '@less-sync/core';
import { createHandlerTable, type HandlerTable } from '@less-sync/realtime';
import type { ClientIdentity } from '../session/identity.js';
import { deksGroup } from './deks/index.js';
import { epochGroup } from './epoch/index.js';
import { invitationGroup } from './invitation/index.js';
import { membershipGroup } from './membership/index.js';
import type { ClientNotificationRoute, ClientRequestRoute, MethodGroupFactory } from './method.js';
import { presenceGroup } from './presence/index.js';
import type { ApiServices } from './services.js';
import { syncGroup } from './sync/index.js';

/** Every method group of the client route (WS-FRAME-3, WS-FRAME-5). */
export const CLIENT_METHOD_GROUPS: readonly MethodGroupFactory[] = Object.freeze([
  syncGroup,
  membershipGroup,
  invitationGroup,
  epochGroup,
  deksGroup,
  presenceGroup,
]);

/** The code of the error frame a failure becomes (as the dispatcher maps it). */
function errorCode(err: unknown): string {
  if (err instanceof RpcError) return err.code;
  if (err instanceof ProtocolDecodeError) return 'invalid_params';
  return 'internal';
}

/**
 * Times each request for the metrics hook. Refused params count as `invalid_params` errors; a handler that
 * rejects counts with its error frame's code.
 */
function measured(s: ApiServices, method: string, route: ClientRequestRoute): ClientRequestRoute {
  const scoped = inScope(s, method, route);
  const hook = s.metrics.rpcRequest;
  if (hook === undefined) return scoped;
  route = scoped;
  return {
    ...route,
    decode(raw) {
      try {
        return route.decode(raw);
      } catch (err) {
        hook(method, 0, 'error', 'invalid_params');
        throw err;
      }
    },
    async handle(params, ctx) {
      const started = performance.now();
      try {
        const out = await route.handle(params, ctx);
        hook(method, performance.now() - started, 'ok');
        return out;
      } catch (err) {
        hook(method, performance.now() - started, 'error', errorCode(err));
        throw err;
      }
    },
  };
}

/** The route with its handling run inside the metrics' `rpcScope` (tracing), when there is one. */
function inScope(s: ApiServices, method: string, route: ClientRequestRoute): ClientRequestRoute {
  const scope = s.metrics.rpcScope;
  if (scope === undefined) return route;
  return { ...route, handle: (params, ctx) => scope(method, async () => route.handle(params, ctx)) };
}

/**
 * The client handler table: each group's methods, exact names; a name claimed twice is a programming
 * error and throws here rather than silently shadowing.
 */
export function buildClientHandlers(
  services: ApiServices,
  groups: readonly MethodGroupFactory[] = CLIENT_METHOD_GROUPS,
): HandlerTable<ClientIdentity> {
  const requests: Record<string, ClientRequestRoute> = {};
  const notifications: Record<string, ClientNotificationRoute> = {};
  for (const factory of groups) {
    const group = factory(services);
    for (const [name, route] of Object.entries(group.requests ?? {})) {
      if (Object.hasOwn(requests, name)) throw new Error(`request method ${name} registered twice`);
      requests[name] = measured(services, name, route);
    }
    for (const [name, route] of Object.entries(group.notifications ?? {})) {
      if (Object.hasOwn(notifications, name)) throw new Error(`notification ${name} registered twice`);
      notifications[name] = route;
    }
  }
  return createHandlerTable({ requests, notifications });
}
