// A fresh database per dialect. The suite-per-dialect runner, `describeEachDialect`, imports vitest and so
// lives in `@platform/db/testing`; this entry point stays importable from benchmarks and scripts.
export { createTempDatabase, DIALECTS, type TempDatabase } from '@platform/db/temp-database';
export { freePort } from './free-port.ts';
export {
  type DeliveredMail,
  SMTP_SERVER_PYTHON,
  type SmtpTestServer,
  startSmtpServer,
} from './smtp-server.ts';
export {
  type ExitResult,
  type SpawnedService,
  type SpawnServiceOptions,
  spawnService,
} from './spawn-service.ts';
export {
  createTestIssuer,
  type MintOptions,
  type TestIssuer,
  type TestIssuerAlg,
  type TestIssuerOptions,
} from './test-issuer.ts';
export {
  base32Decode,
  currentStep,
  hotp,
  RFC6238_SECRET,
  RFC6238_SHA1_VECTORS,
  totpAtStep,
} from './totp.ts';
