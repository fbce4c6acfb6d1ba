import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingApp, NOT_BUILT_YET, type Platform, startPlatform } from '../support/platform.ts';
import { driveTraffic } from '../support/traffic.ts';
import { loadCatalog, resolveSeries } from './catalog.ts';
import { loadDashboards, queriesOf } from './dashboards.ts';
import { type Family, parseExposition } from './exposition.ts';
import { readQuery } from './promql.ts';

// Every metric a dashboard panel names must exist on the running platform's /metrics, with the type and
// labels the catalogue gives it. Table-driven by job: a service joins the live check by adding its spawn to
// support/platform.ts and its /metrics here. kline-service and flow-service do not exist in this
// repository yet: their agreed names are checked against monitoring/metric-names.json (dashboards.test.ts)
// and, here, it is asserted that they really are absent, so the live check cannot silently miss them.

const catalog = loadCatalog();
let platform: Platform;
const exposed = new Map<string, Map<string, Family>>();

beforeAll(async () => {
  platform = await startPlatform();
  await driveTraffic(platform);
  for (const target of platform.targets) {
    exposed.set(target.job, parseExposition(await platform.readMetrics(target.job)));
  }
}, 180_000);

afterAll(async () => {
  await platform?.stop();
});

describe('dashboard queries against the running services', () => {
  it('every job of the catalogue runs here, or is a component not in this repository yet', () => {
    const jobs = new Set(catalog.flatMap((g) => g.jobs));
    for (const job of jobs) {
      if (exposed.has(job)) continue;
      expect(NOT_BUILT_YET, `${job} is not running in the test`).toContain(job);
      expect(
        missingApp(job as (typeof NOT_BUILT_YET)[number]),
        `${job} exists now: spawn it in the test`,
      ).toBe(true);
    }
  });

  it('each catalogued metric is exposed by every running job of its group, with its type and labels', () => {
    const problems: string[] = [];
    for (const group of catalog.filter((g) => g.status !== 'synthetic')) {
      const running = group.jobs.filter((job) => exposed.has(job));
      // An agreed group (kline, flow) is checked as soon as its service runs here.
      if (group.status === 'agreed' && running.length === 0) continue;
      expect(running.length, `no job of group ${group.name} runs`).toBeGreaterThan(0);
      for (const job of running) {
        const families = exposed.get(job)!;
        for (const [name, spec] of Object.entries(group.metrics)) {
          const family = families.get(name);
          if (!family) {
            problems.push(`${job} does not expose ${name}`);
            continue;
          }
          if (family.type !== spec.type)
            problems.push(`${job} ${name}: type ${family.type}, catalogue ${spec.type}`);
          for (const label of spec.labels) {
            if (!family.labels.has(label)) problems.push(`${job} ${name}: no series has label ${label}`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it("every metric a panel names exists on a running service's /metrics (or is an agreed name of an absent one)", () => {
    const problems: string[] = [];
    let checkedLive = 0;
    for (const { file, dashboard } of loadDashboards()) {
      for (const { where, expr } of queriesOf(file, dashboard)) {
        for (const { metric: series } of readQuery(expr).selectors) {
          const metric = resolveSeries(catalog, series);
          if (!metric) {
            problems.push(`${where}: ${series} is in no catalogue group`);
            continue;
          }
          if (metric.group.status === 'synthetic') continue; // `up`: made by Prometheus (scrape test)
          const running = metric.group.jobs.filter((job) => exposed.has(job));
          if (running.length === 0) {
            // kline/flow before they land: their absence is asserted by the first test of this file.
            if (metric.group.status !== 'agreed') problems.push(`${where}: no running job exposes ${series}`);
            continue;
          }
          for (const job of running) {
            if (!exposed.get(job)!.get(metric.name)?.series.has(series)) {
              problems.push(`${where}: ${job}'s /metrics has no ${series} samples`);
            }
          }
          checkedLive += 1;
        }
      }
    }
    expect(problems).toEqual([]);
    expect(checkedLive).toBeGreaterThan(40);
  });

  it('the exposition reader finds what it should and misses what is absent', () => {
    const gateway = exposed.get('pingora-proxy')!;
    expect(gateway.get('pingora_request_duration_seconds')?.series).toEqual(
      new Set([
        'pingora_request_duration_seconds_bucket',
        'pingora_request_duration_seconds_sum',
        'pingora_request_duration_seconds_count',
      ]),
    );
    expect(gateway.get('http_requests_total')).toBeUndefined();
    expect(exposed.get('oauth-service')!.get('oauth_login_attempts_total')?.labels).toEqual(
      new Set(['result', 'factor']),
    );
  });
});
