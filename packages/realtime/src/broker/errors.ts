/** Broker failures (BROKER-02). Messages are the reference's. */
export type BrokerErrorCode = 'too_many_connections' | 'subscriber_not_found';

const MESSAGES: Record<BrokerErrorCode, string> = {
  too_many_connections: 'too many connections',
  subscriber_not_found: 'subscriber not found',
};

export class BrokerError extends Error {
  override readonly name = 'BrokerError';
  constructor(readonly code: BrokerErrorCode) {
    super(MESSAGES[code]);
  }
}

export function isBrokerError(err: unknown, code?: BrokerErrorCode): err is BrokerError {
  return err instanceof BrokerError && (code === undefined || err.code === code);
}
