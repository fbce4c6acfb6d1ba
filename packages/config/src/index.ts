export { z } from 'zod';
export { type DatabaseTarget, parseDatabaseUrl } from './database-url.ts';
export { ConfigError, loadConfig, runMain, StartupError } from './load-config.ts';
export {
  boolean,
  databaseUrl,
  drainDelay,
  drainDelayMs,
  httpUrl,
  list,
  logFile,
  logLevel,
  nodeEnv,
  port,
} from './schemas.ts';
export { DEV_SECRET_PREFIX, devSecretsInProduction, isDevSecret, secret } from './secrets.ts';
export {
  listenOptions,
  publicOrigin,
  resourceServerShape,
  resourceServerUrls,
  serviceShape,
} from './service-shape.ts';
export { mailFrom, parseSmtpUrl, type SmtpSettings, smtpUrl, smtpUrlForLogs } from './smtp.ts';
export { DEFAULT_TRUSTED_PROXIES, parseCidr, trustedProxies } from './trusted-proxies.ts';
