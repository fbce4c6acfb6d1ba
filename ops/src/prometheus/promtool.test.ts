import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { readYaml, repoPath } from '../support/repo.ts';
import { run, tool } from '../support/tools.ts';

// The shipped monitoring/prometheus.yml and alerts.yml, checked by Prometheus' own tool, and the alert
// rules unit-tested with `promtool test rules` (monitoring/alerts.test.yml).

interface RuleGroups {
  groups: Array<{ name: string; rules: Array<{ alert?: string; expr: string }> }>;
}
interface RuleTests {
  tests: Array<{ alert_rule_test?: Array<{ alertname: string; exp_alerts: unknown[] }> }>;
}

const scratch = mkdtempSync(join(tmpdir(), 'ops-promtool-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of monitoring/ where `edit` may break one file, to show the checks catch it. */
function monitoringCopy(name: string, edit?: (dir: string) => void): string {
  const dir = join(scratch, name);
  cpSync(repoPath('monitoring'), dir, { recursive: true });
  edit?.(dir);
  return dir;
}

describe('promtool', () => {
  it('check config: prometheus.yml and the rule files it loads are valid', () => {
    const result = run(tool('promtool'), ['check', 'config', 'prometheus.yml'], {
      cwd: repoPath('monitoring'),
    });
    expect(result.output).toContain('SUCCESS: prometheus.yml is valid prometheus config file syntax');
    expect(result.output).toMatch(/alerts\.yml\s+SUCCESS: \d+ rules found/);
    expect(result.status).toBe(0);
  });

  it('check rules: alerts.yml is valid', () => {
    const result = run(tool('promtool'), ['check', 'rules', 'alerts.yml'], { cwd: repoPath('monitoring') });
    expect(result.status, result.output).toBe(0);
  });

  it('test rules: every alert fires when it should and stays quiet when it should not', () => {
    const result = run(tool('promtool'), ['test', 'rules', 'alerts.test.yml'], {
      cwd: repoPath('monitoring'),
    });
    expect(result.output).toContain('SUCCESS');
    expect(result.status, result.output).toBe(0);
  });

  it('every alert has a unit test that expects it to fire and one that expects silence', () => {
    const alerts = readYaml<RuleGroups>('monitoring/alerts.yml')
      .groups.flatMap((group) => group.rules)
      .flatMap((rule) => (rule.alert ? [rule.alert] : []));
    const cases = readYaml<RuleTests>('monitoring/alerts.test.yml').tests.flatMap(
      (test) => test.alert_rule_test ?? [],
    );
    for (const alert of alerts) {
      const own = cases.filter((c) => c.alertname === alert);
      expect(
        own.some((c) => c.exp_alerts.length > 0),
        `${alert} never expected to fire`,
      ).toBe(true);
      expect(
        own.some((c) => c.exp_alerts.length === 0),
        `${alert} never expected to stay quiet`,
      ).toBe(true);
    }
    // The alerts operations relies on: a service down, 5xx rate, p99 latency, login failures, refresh-token reuse,
    // an unhealthy upstream.
    const exprs = readYaml<RuleGroups>('monitoring/alerts.yml').groups.flatMap((g) =>
      g.rules.map((r) => r.expr),
    );
    for (const needle of [
      'up == 0',
      'http_requests_total{status=~"5.."}',
      'pingora_requests_total{status=~"5.."}',
      'histogram_quantile(0.99',
      'oauth_login_attempts_total{result!="success"}',
      'oauth_refresh_token_reuse_total',
      'pingora_upstream_health',
    ]) {
      expect(
        exprs.some((expr) => expr.includes(needle)),
        needle,
      ).toBe(true);
    }
  });

  it('test rules fails when an alert threshold is changed (the unit tests are sensitive)', () => {
    const dir = monitoringCopy('loosened', (copy) => {
      const file = join(copy, 'alerts.yml');
      const rules = parse(readFileSync(file, 'utf8')) as RuleGroups;
      for (const group of rules.groups) {
        for (const rule of group.rules) {
          if (rule.alert === 'RefreshTokenReuseDetected') rule.expr = rule.expr.replace('> 0', '> 5');
        }
      }
      writeFileSync(file, stringify(rules));
    });
    const result = run(tool('promtool'), ['test', 'rules', 'alerts.test.yml'], { cwd: dir });
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('RefreshTokenReuseDetected');
  });

  it('check config and check rules reject a broken file', () => {
    const dir = monitoringCopy('broken', (copy) => {
      writeFileSync(
        join(copy, 'alerts.yml'),
        'groups:\n  - name: x\n    rules:\n      - alert: Bad\n        expr: sum(rate(http_requests_total[5m]) >\n',
      );
    });
    const rules = run(tool('promtool'), ['check', 'rules', 'alerts.yml'], { cwd: dir });
    expect(rules.status).not.toBe(0);
    expect(rules.output).toMatch(/parse error/i);
    const config = run(tool('promtool'), ['check', 'config', 'prometheus.yml'], { cwd: dir });
    expect(config.status).not.toBe(0);
  });
});
