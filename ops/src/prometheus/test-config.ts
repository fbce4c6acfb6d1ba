import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { missingApp, NOT_BUILT_YET, type RunningTarget } from '../support/platform.ts';
import { readYaml, repoPath } from '../support/repo.ts';

export interface ScrapeJob {
  job_name: string;
  scheme?: string;
  metrics_path?: string;
  tls_config?: Record<string, unknown>;
  static_configs: Array<{ targets: string[]; labels?: Record<string, string> }>;
}
export interface PrometheusConfig {
  global: Record<string, unknown>;
  rule_files: string[];
  scrape_configs: ScrapeJob[];
}

export const shippedConfig = () => readYaml<PrometheusConfig>('monitoring/prometheus.yml');

/**
 * The shipped monitoring/prometheus.yml turned into the test's: the same jobs, paths, schemes and TLS
 * settings, each target's compose `host:port` replaced by the loopback port its component runs on, and a
 * 1 s scrape interval so the test does not wait 15 s per scrape. Jobs of components not in this repository
 * yet are left out (only while their app folder has no package.json); any other job without a running
 * target is an error.
 */
export function testScrapeConfig(running: RunningTarget[]): { config: PrometheusConfig; leftOut: string[] } {
  const config = shippedConfig();
  const leftOut: string[] = [];
  const jobs: ScrapeJob[] = [];
  for (const job of config.scrape_configs) {
    const target = running.find((t) => t.job === job.job_name);
    if (!target) {
      const name = job.job_name as (typeof NOT_BUILT_YET)[number];
      if (NOT_BUILT_YET.includes(name) && missingApp(name)) {
        leftOut.push(job.job_name);
        continue;
      }
      throw new Error(`prometheus.yml job ${job.job_name} has no running target in the test: start it`);
    }
    jobs.push({
      ...job,
      static_configs: job.static_configs.map((group) => ({
        ...group,
        targets: group.targets.map(() => `127.0.0.1:${target.port}`),
      })),
    });
  }
  return {
    config: {
      ...config,
      global: { ...config.global, scrape_interval: '1s', evaluation_interval: '1s' },
      scrape_configs: jobs,
    },
    leftOut,
  };
}

/** Writes the test config beside a copy of the shipped rule files; returns the config path. */
export function writeTestConfig(dir: string, config: PrometheusConfig): string {
  mkdirSync(dir, { recursive: true });
  for (const file of config.rule_files) copyFileSync(repoPath('monitoring', file), join(dir, file));
  const path = join(dir, 'prometheus.yml');
  writeFileSync(path, stringify(config));
  return path;
}
