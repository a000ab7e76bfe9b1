/** The library surface: start the service from code. */
export { type Config, DEFAULTS, loadConfig } from './config.js';
export { startEmbeddedRedis } from './embedded-redis.js';
export {
  type PollerConfig,
  PollerConfigError,
  type Pollers,
  type SqsEvent,
  type SqsRecord,
  type StartPollersOptions,
  startPollers,
} from './lambda/index.js';
export { createLogger } from './log.js';
export { type Service, type ServiceOptions, startService } from './service.js';
