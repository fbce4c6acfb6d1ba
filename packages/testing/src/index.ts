export { freePort } from './free-port.ts';
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
