import type { AuthContext } from '@less-sync/auth';
import type { ConnectionIdentity } from '@less-sync/realtime';

/** A client connection's identity: the validated JWT claims plus what the connection core needs. */
export interface ClientIdentity extends ConnectionIdentity {
  readonly auth: AuthContext;
  /** Mailbox key: the JWT's mailbox id, or the client id when that is empty (WS-CONN-1). */
  readonly mailboxId: string;
  /** JWT `exp` in ms; the socket closes 4001 when it passes without a token.refresh (R8). */
  readonly expiresAt: number | undefined;
}

export function identityFromAuth(auth: AuthContext): ClientIdentity {
  return {
    auth,
    mailboxId: auth.mailboxId === '' ? auth.clientId : auth.mailboxId,
    expiresAt: auth.expiresAt === undefined ? undefined : auth.expiresAt * 1000,
  };
}

/** WSPROTO-07: the whitespace-split scope names `required` exactly (case-sensitive). */
export function hasScope(scope: string, required: string): boolean {
  return scope.split(/\s+/).includes(required);
}
