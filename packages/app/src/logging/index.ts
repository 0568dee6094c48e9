export { connectionLogger, createLogger, type Logger, type LoggerOptions, requestLogger } from './logger.js';
