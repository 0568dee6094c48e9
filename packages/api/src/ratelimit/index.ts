export {
  RATE_LIMIT_ACTION_NAMES,
  RateLimitExceededError,
  type RateLimitedAction,
  RateLimiter,
  type RateLimitPermit,
  RateLimitUnavailableError,
} from './limiter.js';
