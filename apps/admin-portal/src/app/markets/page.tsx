import { PageHeader } from '@platform/ui/page-header';
import type { Metadata } from 'next';
import { MarketsView } from '../../components/markets/markets-view.tsx';
import { requirePermission } from '../../lib/session/current.ts';

export const metadata: Metadata = { title: 'Markets' };

// Candles from kline-service. The page needs kline:read (the session's kline token, lib/session/kline.ts).
// The browser reaches kline-service only through the portal, with its session cookie: REST through ./api,
// the live feed through the WebSocket relay at /admin/markets/ws (src/server/markets-relay.ts). The kline
// token stays on the server.
export default async function MarketsPage({
  searchParams,
}: {
  searchParams: Promise<{ symbol?: string; interval?: string }>;
}) {
  await requirePermission('kline:read');
  const { symbol, interval } = await searchParams;
  return (
    <>
      <PageHeader
        title="Markets"
        description="Candles and volume from kline-service, live. Scroll the chart left for older history."
      />
      <MarketsView
        klineUrl="/admin/markets/api"
        wsPath="/admin/markets/ws"
        sessionUrl="/admin/markets/session"
        {...(symbol ? { initialSymbol: symbol } : {})}
        {...(interval ? { initialInterval: interval } : {})}
      />
    </>
  );
}
