import { describe, expect, it } from 'vitest';
import { parsePrometheus, ratePerSecond, sum } from './prometheus.ts';

const TEXT = `# HELP oauth_tokens_issued_total Tokens issued
# TYPE oauth_tokens_issued_total counter
oauth_tokens_issued_total{grant_type="authorization_code",client_id="admin-portal"} 3
oauth_tokens_issued_total{grant_type="refresh_token",client_id="admin-portal"} 2
oauth_login_attempts_total{result="success"} 4
oauth_login_attempts_total{result="invalid_password"} 2
oauth_login_attempts_total{result="locked"} 1
pingora_requests_total{route="/admin/",status="200",upstream="admin-portal"} 1.5e3
weird{label="a \\"quoted\\" value, with comma"} 7 1700000000000
broken line without value
nan_metric NaN
`;

describe('Prometheus text parsing', () => {
  const samples = parsePrometheus(TEXT);

  it('reads names, labels and values, skipping comments and junk', () => {
    expect(samples.find((s) => s.name === 'weird')?.labels.label).toBe('a "quoted" value, with comma');
    expect(samples.find((s) => s.name === 'pingora_requests_total')?.value).toBe(1500);
    expect(samples.some((s) => s.name === 'broken')).toBe(false);
    expect(samples.some((s) => s.name === 'nan_metric')).toBe(false);
  });

  it('sums a metric over the labels asked for', () => {
    expect(sum(samples, 'oauth_tokens_issued_total')).toBe(5);
    expect(sum(samples, 'oauth_login_attempts_total', (l) => l.result !== 'success')).toBe(3);
    expect(sum(samples, 'absent_total')).toBe(0);
  });

  it('computes a rate between readings, none across a restart or with no time elapsed', () => {
    expect(ratePerSecond({ total: 100, at: 0 }, { total: 300, at: 2000 })).toBe(100);
    expect(ratePerSecond({ total: 300, at: 0 }, { total: 10, at: 2000 })).toBeNull();
    expect(ratePerSecond({ total: 1, at: 5 }, { total: 2, at: 5 })).toBeNull();
  });
});
