import {
  Badge,
  Stack,
  Table,
  TableScrollContainer,
  TableTbody,
  TableTd,
  TableTh,
  TableThead,
  TableTr,
  Text,
} from '@mantine/core';
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
        <TableScrollContainer minWidth={720}>
          <Table striped aria-label="Your recent security events">
            <TableThead>
              <TableTr>
                <TableTh>When</TableTh>
                <TableTh>Event</TableTh>
                <TableTh>Outcome</TableTh>
                <TableTh>Address</TableTh>
                <TableTh>Device</TableTh>
                <TableTh>Application</TableTh>
              </TableTr>
            </TableThead>
            <TableTbody>
              {events.map((event, index) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: events carry no id, and the server-rendered list is never reordered
                <TableTr key={`${event.at}-${index}`} data-testid="event-row">
                  <TableTd>{when(event.at)}</TableTd>
                  <TableTd title={event.action}>{actionLabel(event.action)}</TableTd>
                  <TableTd>
                    <Badge color={event.outcome === 'success' ? 'green' : 'red'} variant="light">
                      {event.outcome}
                    </Badge>
                  </TableTd>
                  <TableTd>{event.ip ?? '—'}</TableTd>
                  <TableTd title={event.userAgent ?? undefined}>{deviceSummary(event.userAgent)}</TableTd>
                  <TableTd>{event.clientName ?? '—'}</TableTd>
                </TableTr>
              ))}
            </TableTbody>
          </Table>
        </TableScrollContainer>
      )}
    </Stack>
  );
}
