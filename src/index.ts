/** The library surface: a throwaway redsqs for tests, the service and the pollers from code. */
export { type RedsqsControl, redsqsAt } from './client.js';
export type { Clock } from './clock.js';
export { type Config, DEFAULTS, loadConfig, TEST_PROFILE } from './config.js';
export { type EmbeddedRedis, type EmbeddedRedisOptions, startEmbeddedRedis } from './embedded-redis.js';
export {
  type PollerConfig,
  PollerConfigError,
  type Pollers,
  type PreparedPollers,
  preparePollers,
  type SqsEvent,
  type SqsRecord,
  type StartPollersOptions,
  startPollers,
} from './lambda/index.js';
export { createLogger, type Logger } from './log.js';
export { type Service, type ServiceOptions, startService } from './service.js';
export type { ClockChange, ClockView } from './store/clock-control.js';
export { type Redsqs, type RedsqsClock, type StartRedsqsOptions, startRedsqs } from './testing.js';
export { VERSION } from './version.js';
