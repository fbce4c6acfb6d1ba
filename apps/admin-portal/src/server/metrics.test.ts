import { createHttpMetrics as createMetrics } from '@platform/http/http-metrics';
import { describe, expect, it } from 'vitest';
import { routeLabel } from './metrics.ts';

describe('portal metrics', () => {
  it('labels requests by console section, never by raw URL', () => {
    expect(routeLabel('/admin', '/admin')).toBe('/admin');
    expect(routeLabel('/admin/users/0193-abc', '/admin')).toBe('/admin/users');
    expect(routeLabel('/admin/_next/static/chunks/x.js', '/admin')).toBe('/admin/_next');
    expect(routeLabel('/health', '/admin')).toBe('/health');
    expect(routeLabel('/admin/workflows/runs/0193-abc/events', '/admin')).toBe('/admin/workflows');
    expect(routeLabel('/admin/markets/api/klines', '/admin')).toBe('/admin/markets');
    expect(routeLabel('/admin/wp-login.php', '/admin')).toBe('unmatched');
    expect(routeLabel('/etc/passwd', '/admin')).toBe('unmatched');
  });

  it('exposes http_requests_total and http_request_duration_seconds', async () => {
    const metrics = createMetrics();
    metrics.record('GET', '/admin/users', 200, 0.02);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^http_requests_total\{method="GET",route="\/admin\/users",status="200"\} 1$/m);
    expect(text).toMatch(
      /^http_request_duration_seconds_bucket\{le="0.025",method="GET",route="\/admin\/users",status="200"\} 1$/m,
    );
  });
});
