import {
  type DecodedShape,
  type FrameBody,
  ProtocolDecodeError,
  type Shape,
  type StructCodec,
  type WireValue,
} from '@less-sync/core';
import type { HandlerContext, NotificationRoute, RequestContext, RequestRoute } from '@less-sync/realtime';
import type { ClientIdentity } from '../session/identity.js';
import type { ApiServices } from './services.js';

type Awaitable<T> = T | Promise<T>;

export type ClientRequestContext = RequestContext<ClientIdentity>;
export type ClientHandlerContext = HandlerContext<ClientIdentity>;
export type ClientRequestRoute = RequestRoute<ClientIdentity>;
export type ClientNotificationRoute = NotificationRoute<ClientIdentity>;

/** The methods one group contributes to the client handler table. */
export interface MethodGroup {
  readonly requests?: Readonly<Record<string, ClientRequestRoute>>;
  readonly notifications?: Readonly<Record<string, ClientNotificationRoute>>;
}

/** Builds a group from the shared services; the registry calls each factory once per endpoint. */
export type MethodGroupFactory = (services: ApiServices) => MethodGroup;

/** WS-FRAME-4: missing or null `params` fails even when every field is optional. */
function decodeWith<S extends Shape>(codec: StructCodec<S>, raw: WireValue | undefined): DecodedShape<S> {
  if (raw === undefined) throw new ProtocolDecodeError('missing', 'params are missing');
  return codec.decode(raw);
}

/**
 * A request method whose params decode through a core codec. A decode failure becomes
 * `invalid_params` with `invalidParamsMessage`; throw core's RpcError for any other error frame.
 */
export function defineRequest<S extends Shape>(
  codec: StructCodec<S>,
  invalidParamsMessage: string,
  handle: (params: DecodedShape<S>, ctx: ClientRequestContext) => Awaitable<FrameBody>,
  options: { chunked?: boolean } = {},
): ClientRequestRoute {
  return {
    invalidParamsMessage,
    chunked: options.chunked ?? false,
    decode: (raw) => decodeWith(codec, raw),
    handle: (params, ctx) => handle(params as DecodedShape<S>, ctx),
  };
}

/** A client notification; a decode failure or a throw drops it silently (WS-FRAME-5). */
export function defineNotification<S extends Shape>(
  codec: StructCodec<S>,
  handle: (params: DecodedShape<S>, ctx: ClientHandlerContext) => Awaitable<void>,
): ClientNotificationRoute {
  return {
    decode: (raw) => decodeWith(codec, raw),
    handle: (params, ctx) => handle(params as DecodedShape<S>, ctx),
  };
}
