import { type Decoded, rule, struct } from '../../schema/struct.js';
import { bytes, text } from '../../schema/wire-types.js';

const { R } = rule;

/** PROTO-14: client notification `presence.set`. */
export const WsPresenceSetParamsCodec = struct('WsPresenceSetParams', {
  space: R(text),
  data: R(bytes),
});
export type WsPresenceSetParams = Decoded<typeof WsPresenceSetParamsCodec>;

/** Client notification `presence.clear`. */
export const WsPresenceClearParamsCodec = struct('WsPresenceClearParams', {
  space: R(text),
});
export type WsPresenceClearParams = Decoded<typeof WsPresenceClearParamsCodec>;

/** Client notification `event.send`. */
export const WsEventSendParamsCodec = struct('WsEventSendParams', {
  space: R(text),
  data: R(bytes),
});
export type WsEventSendParams = Decoded<typeof WsEventSendParamsCodec>;
