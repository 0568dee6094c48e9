import {
  type DecodedShape,
  decodeFederationNotification,
  FEDERATION_REBROADCAST_METHODS,
  type FederationInvitationParams,
  FederationInvitationParamsCodec,
  type FederationRebroadcast,
  ProtocolDecodeError,
  type PullParams,
  PullParamsCodec,
  type PushParams,
  PushParamsCodec,
  RpcError,
  type Shape,
  type StructCodec,
  type SubscribeParams,
  SubscribeParamsCodec,
  type UnsubscribeParams,
  UnsubscribeParamsCodec,
  type WireValue,
} from '@less-sync/core';
import {
  createHandlerTable,
  type HandlerTable,
  type NotificationMethod,
  type NotificationRoute,
  notificationRoute,
  type RequestMethod,
  type RequestRoute,
  requestRoute,
} from '@less-sync/realtime';
import type { FederationContext } from './context.js';
import type { FederationIdentity } from './identity.js';
import { federationInvitation } from './invitation.js';
import { federationPull } from './pull.js';
import { federationPush } from './push.js';
import { federationRebroadcast } from './rebroadcast.js';
import { federationSubscribe } from './subscribe.js';
import { federationUnsubscribe } from './unsubscribe.js';

type PeerRequest = RequestRoute<FederationIdentity>;
type PeerNotification = NotificationRoute<FederationIdentity>;

const peerRequest = <P>(m: RequestMethod<FederationIdentity, P>): PeerRequest => requestRoute(m);
const peerNotification = <P>(m: NotificationMethod<FederationIdentity, P>): PeerNotification =>
  notificationRoute(m);

/** Missing or null params fail even when every field is optional (WS-FRAME-4). */
function decoder<S extends Shape>(codec: StructCodec<S>): (raw: WireValue | undefined) => DecodedShape<S> {
  return (raw) => {
    if (raw === undefined) throw new ProtocolDecodeError('missing', 'params are missing');
    return codec.decode(raw);
  };
}

function errorCode(err: unknown): string {
  if (err instanceof RpcError) return err.code;
  if (err instanceof ProtocolDecodeError) return 'invalid_params';
  return 'internal';
}

/** Counts each call by method and outcome (`ok` or the error frame's code). */
function measured(f: FederationContext, method: string, route: PeerRequest): PeerRequest {
  const hook = f.metrics.call;
  if (hook === undefined) return route;
  return {
    ...route,
    decode(raw) {
      try {
        return route.decode(raw);
      } catch (err) {
        hook(method, 'invalid_params');
        throw err;
      }
    },
    async handle(params, ctx) {
      try {
        const out = await route.handle(params, ctx);
        hook(method, 'ok');
        return out;
      } catch (err) {
        hook(method, errorCode(err));
        throw err;
      }
    },
  };
}

/**
 * FED-RPC-02: the federation socket's table. Four requests; every other method (all client methods
 * included) is `method_not_found`. Notifications: `unsubscribe` and the four re-broadcast kinds; anything
 * else is ignored.
 */
export function buildFederationHandlers(f: FederationContext): HandlerTable<FederationIdentity> {
  const requests: Record<string, PeerRequest> = {
    subscribe: peerRequest<SubscribeParams>({
      decode: decoder(SubscribeParamsCodec),
      invalidParamsMessage: 'invalid subscribe params',
      handle: (params, ctx) => federationSubscribe(f, params.spaces, ctx),
    }),
    push: peerRequest<PushParams>({
      decode: decoder(PushParamsCodec),
      invalidParamsMessage: 'invalid push params',
      handle: (params, ctx) => federationPush(f, params, ctx),
    }),
    pull: peerRequest<PullParams>({
      decode: decoder(PullParamsCodec),
      invalidParamsMessage: 'invalid pull params',
      chunked: true,
      handle: (params, ctx) => federationPull(f, params.spaces, ctx),
    }),
    'fed.invitation': peerRequest<FederationInvitationParams>({
      decode: decoder(FederationInvitationParamsCodec),
      invalidParamsMessage: 'invalid params',
      handle: (params, ctx) => federationInvitation(f, params, ctx),
    }),
  };
  const notifications: Record<string, PeerNotification> = {
    unsubscribe: peerNotification<UnsubscribeParams>({
      decode: decoder(UnsubscribeParamsCodec),
      handle: (params, ctx) => federationUnsubscribe(f, params.spaces, ctx),
    }),
  };
  for (const method of FEDERATION_REBROADCAST_METHODS) {
    notifications[method] = peerNotification({
      decode: (raw): FederationRebroadcast => {
        const decoded = decodeFederationNotification(method, raw);
        if (decoded === undefined) throw new ProtocolDecodeError('missing', 'not a re-broadcast');
        return decoded;
      },
      handle: (n, ctx) => federationRebroadcast(f, n, ctx),
    });
  }
  const measuredRequests: Record<string, PeerRequest> = {};
  for (const [name, route] of Object.entries(requests)) measuredRequests[name] = measured(f, name, route);
  return createHandlerTable({ requests: measuredRequests, notifications });
}
