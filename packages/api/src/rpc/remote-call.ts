import type { ClientRequestContext } from './method.js';

/**
 * B8: start a call to a federation peer, then let the client connection's read loop go on while it runs,
 * so a silent home server delays only this request (up to the call deadline), never the client's later
 * ones. The call is started first: calls to one peer go out on its socket in the order they start, so a
 * client's forwarded push then pull of one remote space still reach the home in request order. Once
 * released, the rest of the handler (and its reply) is no longer ordered with later requests.
 */
export function releasedDuring<T>(
  ctx: Pick<ClientRequestContext, 'release'>,
  start: () => Promise<T>,
): Promise<T> {
  const pending = start();
  ctx.release();
  return pending;
}
