import { isWireObject, type WireValue } from '@less-sync/core';
import {
  createHandlerTable,
  type HandlerTable,
  notificationRoute,
  type PresenceRegistry,
  requestRoute,
} from '../../src/index.js';
import type { TestIdentity } from './harness.js';

function strings(p: WireValue | undefined): string[] {
  if (!Array.isArray(p) || !p.every((s) => typeof s === 'string')) throw new Error('expected strings');
  return p as string[];
}

function spaceData(p: WireValue | undefined): { space: string; data: Uint8Array } {
  if (!isWireObject(p) || typeof p.space !== 'string' || !(p.data instanceof Uint8Array))
    throw new Error('bad');
  return { space: p.space, data: p.data };
}

/**
 * A minimal stand-in for the API's realtime methods, built only on the connection core: enough to port
 * the reference's subscribe / broadcast / presence scenarios at this layer.
 */
export function realtimeTable(presence: PresenceRegistry): HandlerTable<TestIdentity> {
  return createHandlerTable<TestIdentity>({
    requests: {
      subscribe: requestRoute({
        decode: strings,
        handle: async (spaces, ctx) => ({ added: await ctx.connection.subscribe(spaces) }),
      }),
      event: requestRoute({
        decode: spaceData,
        handle: async ({ space, data }, ctx) => ({
          delivered: await ctx.connection.publish(space, 'event', {
            space,
            peer: presence.pseudonym(ctx.connectionId, space),
            data,
          }),
        }),
      }),
      refresh: requestRoute({
        decode: (p) => Number(p),
        handle: (expiresInMs, ctx) => {
          ctx.connection.replaceIdentity({ ...ctx.identity, expiresAt: Date.now() + expiresInMs });
          return { ok: true };
        },
      }),
      hold: requestRoute({
        decode: (p) => Number(p),
        handle: async (ms, ctx) => {
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, ms);
            ctx.signal.addEventListener('abort', () => {
              clearTimeout(t);
              resolve();
            });
          });
          return { held: ms, aborted: ctx.signal.aborted };
        },
      }),
      self: requestRoute({
        decode: () => undefined,
        handle: async (_p, ctx) => {
          await ctx.connection.notify('hello', { to: ctx.connectionId });
          return { id: ctx.connectionId, subscribed: [...ctx.connection.subscriptions] };
        },
      }),
    },
    notifications: {
      unsubscribe: notificationRoute({
        decode: strings,
        handle: async (spaces, ctx) => {
          await ctx.connection.unsubscribe(spaces);
          for (const space of spaces) {
            const leave = presence.clear(space, ctx.connectionId);
            if (leave) await ctx.connection.publish(space, 'presence.leave', { ...leave });
          }
        },
      }),
      'presence.set': notificationRoute({
        decode: spaceData,
        handle: async ({ space, data }, ctx) => {
          if (!ctx.connection.isSubscribed(space)) return;
          const outcome = presence.set(space, ctx.connectionId, data);
          if (outcome.stored) {
            await ctx.connection.publish(outcome.space, 'presence', {
              space: outcome.space,
              peer: outcome.peer,
              data,
            });
          }
        },
      }),
    },
  });
}
