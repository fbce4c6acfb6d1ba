import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTempDatabase, type TempDatabase } from '@platform/db/temp-database';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { acquireFixedPorts } from '../fixed-ports-lock.ts';
import { type PlatformProcess, startPlatform } from '../platform-process.ts';
import { launchChromium, saveScreenshots } from './browser.ts';

// The platform a console browser suite drives: started the way the README starts it (bash scripts/start.sh)
// on the fixed ports, on the suite's database dialect, with Chromium launched beside it; a failed test leaves
// screenshots of the suite's pages and the platform's log under e2e/artifacts/admin-portal/. The suite's own
// beforeAll hooks, registered after this one, run once the platform is up (Vitest runs them in order).

/** Start-up covers the fixed-ports lock (another suite may hold it) and a first build of the console. */
const START_TIMEOUT = 16 * 60_000;
const READY = /Press Ctrl-C to stop/;
/** Lines of the platform's log kept beside a failed test's screenshots. */
const LOG_LINES = 400;

/** Services that get a PostgreSQL database of their own on that dialect, beside oauth-service and test-service. */
const DATABASE_URL_VARIABLES = {
  flow: 'FLOW_SERVICE_DATABASE_URL',
  kline: 'KLINE_SERVICE_DATABASE_URL',
} as const;

export interface ConsolePlatformOptions {
  /** Names the suite's data folder, its failure artifacts and its failure message. */
  name: string;
  /** The seeded admin's password; without one the seed generates it, prints it once and forces a change. */
  adminPassword?: string;
  /** Services besides oauth-service whose data the suite reads; on SQLite they keep it in the data folder. */
  databases?: ReadonlyArray<keyof typeof DATABASE_URL_VARIABLES>;
  /** More environment for start.sh; a function when it holds what an earlier hook starts. */
  env?: Record<string, string> | (() => Record<string, string>);
  /**
   * Gateway URLs to wait for (an answer below 500) before the suite's hooks run: the gateway routes to a
   * console once its health check has seen it up, a moment after start.sh is ready on a busy host.
   */
  waitForUrls?: string[];
  /** The suite's pages by name, for the screenshots of a failed test (an unopened page is skipped). */
  pages(): Record<string, Page | undefined>;
}

export interface ConsolePlatform {
  /** The Chromium the suite's pages live in. */
  readonly browser: Browser;
  /** PLATFORM_DATA_DIR: the secrets files start.sh writes, and the SQLite databases. */
  readonly dataDir: string;
  /** Everything start.sh and the services printed so far (what the seed prints once is in it). */
  output(): string;
  /** oauth-service's database, for what a suite must set up that no page or API makes. */
  readonly oauthDatabaseUrl: string;
  /** A page in a context of its own. */
  newPage(options?: BrowserContextOptions): Promise<Page>;
}

/** On PostgreSQL, a database per service (kept in `created` to drop); on SQLite, the services' own files. */
async function postgresDatabaseEnv(
  temp: TempDatabase,
  services: ConsolePlatformOptions['databases'],
  created: TempDatabase[],
): Promise<Record<string, string>> {
  if (temp.dialect !== 'postgres') return {};
  const env: Record<string, string> = { TEST_SERVICE_DATABASE_URL: temp.url };
  for (const variable of [
    'OAUTH_SERVICE_DATABASE_URL',
    ...(services ?? []).map((s) => DATABASE_URL_VARIABLES[s]),
  ]) {
    const database = await createTempDatabase('postgres');
    created.push(database);
    env[variable] = database.url;
  }
  return env;
}

async function untilRouted(urls: readonly string[]): Promise<void> {
  for (const url of urls) {
    for (let tries = 0; tries < 120; tries += 1) {
      const status = (await fetch(url).catch(() => undefined))?.status;
      if (status !== undefined && status < 500) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

function started<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`the console platform's ${what} is read before its beforeAll ran`);
  return value;
}

/**
 * Registers the hooks that start the platform and Chromium before the suite's tests, save a failed test's
 * screenshots and log, and stop everything after them; call it once in a describeEachDialect body.
 */
export function registerConsolePlatform(
  temp: () => TempDatabase,
  options: ConsolePlatformOptions,
): ConsolePlatform {
  let releasePorts: (() => void) | undefined;
  let dataDir: string | undefined;
  const databases: TempDatabase[] = [];
  let platform: PlatformProcess | undefined;
  let browser: Browser | undefined;
  let oauthDatabaseUrl: string | undefined;

  beforeAll(async () => {
    releasePorts = await acquireFixedPorts();
    dataDir = mkdtempSync(join(tmpdir(), `${options.name}-e2e-`));
    const env = typeof options.env === 'function' ? options.env() : options.env;
    const databaseEnv = await postgresDatabaseEnv(temp(), options.databases, databases);
    // On SQLite, start.sh keeps each service's database in the data folder (scripts/components.ts).
    oauthDatabaseUrl = databaseEnv.OAUTH_SERVICE_DATABASE_URL ?? `file:${join(dataDir, 'oauth-service.db')}`;
    platform = startPlatform({
      PLATFORM_DATA_DIR: dataDir,
      RUST_LOG: 'error',
      ...(options.adminPassword === undefined ? {} : { ADMIN_PASSWORD: options.adminPassword }),
      ...env,
      ...databaseEnv,
    });
    await platform.waitFor(READY, 10 * 60_000);
    await untilRouted(options.waitForUrls ?? []);
    browser = await launchChromium();
  }, START_TIMEOUT);

  afterEach(async (context) => {
    if (context.task.result?.state !== 'fail') return;
    const pages = Object.entries(options.pages()).map(([name, page]) => ({ name, page }));
    const dir = await saveScreenshots(pages, `${options.name}-${temp().dialect}-${context.task.name}`);
    // The platform's log lines around the failure (never tokens or secrets: the services do not log them).
    const log = platform?.output().split('\n').slice(-LOG_LINES).join('\n') ?? '';
    writeFileSync(join(dir, 'platform.log'), log);
    console.error(`${options.name} browser test failed; screenshots and platform log in ${dir}`);
  });

  afterAll(async () => {
    await browser?.close();
    await platform?.stop('SIGINT');
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    for (const database of databases) await database.drop();
    releasePorts?.();
  });

  return {
    get browser() {
      return started(browser, 'browser');
    },
    get dataDir() {
      return started(dataDir, 'data folder');
    },
    output: () => started(platform, 'process').output(),
    get oauthDatabaseUrl() {
      return started(oauthDatabaseUrl, 'oauth-service database');
    },
    newPage: async (contextOptions) =>
      (await started(browser, 'browser').newContext(contextOptions)).newPage(),
  };
}
