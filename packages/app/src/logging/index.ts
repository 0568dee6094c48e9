export { logWsSessionEnd, userPseudonymer, type WsSessionEnd } from './access.js';
export { connectionLogger, createLogger, type Logger, type LoggerOptions, requestLogger } from './logger.js';
