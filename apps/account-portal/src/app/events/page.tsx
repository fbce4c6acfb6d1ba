import { Badge, Stack, Table, Text } from '@mantine/core';
import { when } from '@platform/ui/format';
import { PageHeader } from '@platform/ui/page-header';
import { deviceSummary } from '@platform/ui/user-agent';
import type { Metadata } from 'next';
import { accountApi } from '../../lib/api/client.ts';
import { actionLabel } from '../../lib/events.ts';
import { section } from '../../lib/page-section.ts';
import { requireSession } from '../../lib/session/current.ts';

export const metadata: Metadata = { title: 'Security events' };

const EVENT_LIMIT = 50;

// The user's recent security events from the audit log, newest first (the API returns only their own).
export default async function EventsPage() {
  const session = await requireSession();
  const events = await accountApi(session).events(EVENT_LIMIT);
  const { label, description } = section('/events');
  return (
    <Stack>
      <PageHeader title={label} description={description} />
      {events.length === 0 ? (
        <Text c="dimmed">No security event yet.</Text>
      ) : (
        <Table.ScrollContainer minWidth={720}>
          <Table striped aria-label="Your recent security events">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>When</Table.Th>
                <Table.Th>Event</Table.Th>
                <Table.Th>Outcome</Table.Th>
                <Table.Th>Address</Table.Th>
                <Table.Th>Device</Table.Th>
                <Table.Th>Application</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {events.map((event, index) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: events carry no id, and the server-rendered list is never reordered
                <Table.Tr key={`${event.at}-${index}`} data-testid="event-row">
                  <Table.Td>{when(event.at)}</Table.Td>
                  <Table.Td title={event.action}>{actionLabel(event.action)}</Table.Td>
                  <Table.Td>
                    <Badge color={event.outcome === 'success' ? 'green' : 'red'} variant="light">
                      {event.outcome}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{event.ip ?? '—'}</Table.Td>
                  <Table.Td title={event.userAgent ?? undefined}>{deviceSummary(event.userAgent)}</Table.Td>
                  <Table.Td>{event.clientName ?? '—'}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}
