import type { Broker, PresenceRegistry } from '@less-sync/realtime';
import type { Storage } from '@less-sync/storage';
import { SpaceAuthorizer } from '../authz/authorizer.js';
import {
  type ApiClock,
  type ApiDeps,
  type ApiLogger,
  type ApiMetrics,
  DEFAULT_MAX_SUBSCRIBE_SPACES,
  silentApiLogger,
} from '../deps.js';
import { OriginInbox } from '../federation/outbound/inbox.js';
import { RemoteSubscribers } from '../federation/outbound/remote-subscribers.js';
import { InvitationNotifier } from '../notify/invitation.js';
import { RateLimiter } from '../ratelimit/limiter.js';
import { SessionRegistry } from '../session/registry.js';
import { BackgroundTasks } from './background.js';
import { DEFAULT_PULL_LIMITS, PullSlots } from './sync/pull-slots.js';

const systemClock: ApiClock = Object.freeze({ now: () => Date.now() });

/** What every method group works with: the injected deps plus the API's own shared state. */
export interface ApiServices {
  readonly deps: ApiDeps;
  readonly storage: Storage;
  readonly broker: Broker;
  readonly presence: PresenceRegistry;
  readonly authz: SpaceAuthorizer;
  readonly sessions: SessionRegistry;
  readonly rateLimiter: RateLimiter;
  readonly background: BackgroundTasks;
  /** Delayed `invitation` notifications (RPC-INV-6), bounded and cancelled by {@link closeApiServices}. */
  readonly invitations: InvitationNotifier;
  readonly logger: ApiLogger;
  readonly metrics: ApiMetrics;
  readonly clock: ApiClock;
  readonly maxSubscribeSpaces: number;
  /** Concurrent pulls per connection and per user. */
  readonly pullSlots: PullSlots;
  /** R17: local subscribers of spaces homed on peers (the origin side), and the re-broadcast gate. */
  readonly remote: RemoteSubscribers;
}

export function createApiServices(deps: ApiDeps): ApiServices {
  const logger = deps.logger ?? silentApiLogger;
  const clock = deps.clock ?? systemClock;
  const services: ApiServices = {
    deps,
    storage: deps.storage,
    broker: deps.broker,
    presence: deps.presence,
    authz: new SpaceAuthorizer({
      storage: deps.storage,
      ucan: deps.ucanValidator,
      logger,
      localDomains: deps.config.localDomains ?? [],
      now: () => clock.now(),
    }),
    sessions: new SessionRegistry(deps.presence, logger),
    rateLimiter: new RateLimiter(deps.storage, deps.config.identityHashKey, deps.config.rateLimits),
    background: new BackgroundTasks(logger),
    invitations: new InvitationNotifier({
      broker: deps.broker,
      ...(deps.config.invitationNotify === undefined ? {} : { config: deps.config.invitationNotify }),
      onError: (err, mailboxId) => logger.warn({ err, mailboxId }, 'invitation notification failed'),
    }),
    logger,
    metrics: deps.metrics ?? {},
    clock,
    maxSubscribeSpaces: deps.config.maxSubscribeSpaces ?? DEFAULT_MAX_SUBSCRIBE_SPACES,
    pullSlots: new PullSlots({ ...DEFAULT_PULL_LIMITS, ...deps.config.pull }),
    remote: new RemoteSubscribers(),
  };
  deps.federation?.attach?.(new OriginInbox(services, services.remote));
  return services;
}

/** Shutdown: cancel pending invitation notifications and wait for background work (blob deletions). */
export async function closeApiServices(services: ApiServices): Promise<void> {
  services.invitations.close();
  await services.background.idle();
}
