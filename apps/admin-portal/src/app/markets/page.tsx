import type { Metadata } from 'next';
import { MarketsView } from '../../components/markets/markets-view.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { portalConfig } from '../../lib/config.ts';
import { requirePermission } from '../../lib/session/current.ts';

export const metadata: Metadata = { title: 'Markets' };

// Candles from kline-service. The page needs kline:read (the session's kline token, lib/session/kline.ts);
// the browser then talks to kline-service itself, same origin behind the gateway (PUBLIC_URL/kline), with
// the short-lived kline token from ./token.
export default async function MarketsPage({
  searchParams,
}: {
  searchParams: Promise<{ symbol?: string; interval?: string }>;
}) {
  await requirePermission('kline:read');
  const { symbol, interval } = await searchParams;
  const config = portalConfig();
  const wsUrl = `${config.klinePublicUrl.replace(/^http/, 'ws')}/ws`;
  return (
    <>
      <PageHeader
        title="Markets"
        description="Candles and volume from kline-service, live. Scroll the chart left for older history."
      />
      <MarketsView
        klineUrl={config.klinePublicUrl}
        wsUrl={wsUrl}
        tokenUrl="/admin/markets/token"
        {...(symbol ? { initialSymbol: symbol } : {})}
        {...(interval ? { initialInterval: interval } : {})}
      />
    </>
  );
}
