import { Alert, Button, Group, Loader, Stack, Text } from '@mantine/core';

// What the Markets page shows instead of a chart: loading, a failure with "Try again", no data yet.

export function MarketsLoading() {
  return (
    <Group gap="sm" role="status">
      <Loader size="sm" />
      <Text>Loading markets…</Text>
    </Group>
  );
}

export function RetryAlert(props: { title: string; message: string; onRetry: () => void }) {
  return (
    <Alert color="red" title={props.title} role="alert">
      <Stack gap="xs">
        <Text size="sm">{props.message}</Text>
        <Button size="xs" variant="default" w="fit-content" onClick={props.onRetry}>
          Try again
        </Button>
      </Stack>
    </Alert>
  );
}

export function NoMarketData(props: { onRetry: () => void }) {
  return (
    <Alert color="blue" title="No market data yet" data-testid="markets-empty">
      <Stack gap="xs">
        <Text size="sm">
          kline-service has no trades. Ingest some (POST /kline/api/v1/trades) or start the market simulator
          (KLINE_SIMULATOR=true).
        </Text>
        <Button size="xs" variant="default" w="fit-content" onClick={props.onRetry}>
          Check again
        </Button>
      </Stack>
    </Alert>
  );
}
