import type { WireValue } from '../../cbor/values.js';
import { ProtocolDecodeError } from '../../schema/errors.js';
import { type Decoded, rule, struct } from '../../schema/struct.js';
import { bool, text } from '../../schema/wire-types.js';
import {
  type WsFileData,
  WsFileDataCodec,
  type WsMembershipData,
  WsMembershipDataCodec,
  type WsRevokedData,
  WsRevokedDataCodec,
  type WsSyncData,
  WsSyncDataCodec,
} from './notifications.js';

const { R } = rule;

/** PROTO-20: peer method `fed.invitation`. */
export const FederationInvitationParamsCodec = struct('FederationInvitationParams', {
  mailbox_id: R(text),
  payload: R(text),
});
export type FederationInvitationParams = Decoded<typeof FederationInvitationParamsCodec>;

export const FederationInvitationResultCodec = struct('FederationInvitationResult', {
  ok: R(bool),
});
export type FederationInvitationResult = Decoded<typeof FederationInvitationResultCodec>;

/** FED-RPC-09: the notifications a home server may re-broadcast to a peer (and a peer to us). */
export const FEDERATION_REBROADCAST_METHODS = Object.freeze([
  'sync',
  'membership',
  'file',
  'revoked',
] as const);
export type FederationRebroadcastMethod = (typeof FEDERATION_REBROADCAST_METHODS)[number];

/** A decoded re-broadcast notification (FED-RPC-01 shapes). */
export type FederationRebroadcast =
  | { readonly method: 'sync'; readonly space: string; readonly params: WsSyncData }
  | { readonly method: 'membership'; readonly space: string; readonly params: WsMembershipData }
  | { readonly method: 'file'; readonly space: string; readonly params: WsFileData }
  | { readonly method: 'revoked'; readonly space: string; readonly params: WsRevokedData };

export function isFederationRebroadcastMethod(method: string): method is FederationRebroadcastMethod {
  return (FEDERATION_REBROADCAST_METHODS as readonly string[]).includes(method);
}

/**
 * FED-RPC-09: decode a peer notification of one of the four re-broadcast kinds. Returns undefined for
 * any other method; throws ProtocolDecodeError for missing or malformed params (never anything else).
 */
export function decodeFederationNotification(
  method: string,
  params: WireValue | undefined,
): FederationRebroadcast | undefined {
  if (!isFederationRebroadcastMethod(method)) return undefined;
  if (params === undefined) throw new ProtocolDecodeError('missing', 'params are missing');
  switch (method) {
    case 'sync': {
      const decoded = WsSyncDataCodec.decode(params);
      return { method, space: decoded.space, params: decoded };
    }
    case 'membership': {
      const decoded = WsMembershipDataCodec.decode(params);
      return { method, space: decoded.space, params: decoded };
    }
    case 'file': {
      const decoded = WsFileDataCodec.decode(params);
      return { method, space: decoded.space, params: decoded };
    }
    case 'revoked': {
      const decoded = WsRevokedDataCodec.decode(params);
      return { method, space: decoded.space, params: decoded };
    }
  }
}
