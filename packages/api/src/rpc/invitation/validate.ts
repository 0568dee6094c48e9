/** invitation.create input checks shared by the client and federation paths (RPC-INV-1 steps 3–6). */
import { RpcError, RpcErrorCode } from '@less-sync/core';

/** Largest invitation payload, in UTF-8 bytes (128 KiB). */
export const MAX_INVITATION_PAYLOAD_BYTES = 128 * 1024;

const MAILBOX_ID = /^[0-9a-f]{64}$/;

/** Throws the reference's error for the first failing check, in its order. */
export function validateInvitationInput(mailboxId: string, payload: string): void {
  if (mailboxId === '') throw new RpcError(RpcErrorCode.BadRequest, 'missing mailbox_id');
  // Lower-case only: upper-case hex is refused, as in the reference.
  if (!MAILBOX_ID.test(mailboxId)) {
    throw new RpcError(RpcErrorCode.BadRequest, 'mailbox_id must be 64-char hex string');
  }
  if (payload === '') throw new RpcError(RpcErrorCode.BadRequest, 'missing payload');
  if (Buffer.byteLength(payload, 'utf8') > MAX_INVITATION_PAYLOAD_BYTES) {
    throw new RpcError(RpcErrorCode.PayloadTooLarge, 'payload too large');
  }
}
