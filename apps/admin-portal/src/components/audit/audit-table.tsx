import {
  Badge,
  Table,
  TableScrollContainer,
  TableTbody,
  TableTd,
  TableTh,
  TableThead,
  TableTr,
} from '@mantine/core';
import { when } from '@platform/ui/format';
import type { ReactNode } from 'react';
import type { AuditEvent } from '../../lib/admin-api/types.ts';
import { AnchorLink } from '../links.tsx';
import { actorOf, clientOf, PartyName, targetOf } from './audit-party.tsx';

/** A short, readable summary of an event's details (usernames, names, client ids), for the table. */
function summary(event: AuditEvent): string {
  const d = event.details;
  const pick = ['username', 'name', 'client_id', 'role', 'permission', 'kid', 'scope', 'grant_type'].filter(
    (key) => typeof d[key] === 'string' || typeof d[key] === 'number',
  );
  return pick.map((key) => `${key}=${d[key]}`).join(' ');
}

/** The events; `timeHeader` replaces the plain Time header (the audit page's sorts by time). */
export function AuditTable({ events, timeHeader }: { events: AuditEvent[]; timeHeader?: ReactNode }) {
  return (
    <TableScrollContainer minWidth={900}>
      <Table striped highlightOnHover>
        <TableThead>
          <TableTr>
            {timeHeader ?? <TableTh>Time</TableTh>}
            <TableTh>Actor</TableTh>
            <TableTh>Action</TableTh>
            <TableTh>Target</TableTh>
            <TableTh>Client</TableTh>
            <TableTh>Outcome</TableTh>
            <TableTh>Details</TableTh>
          </TableTr>
        </TableThead>
        <TableTbody data-testid="audit-events">
          {events.map((event) => (
            <TableTr key={event.id}>
              <TableTd>
                <AnchorLink href={`/audit/${event.id}`}>{when(event.created_at)}</AnchorLink>
              </TableTd>
              <TableTd data-testid="audit-actor">
                <PartyName party={actorOf(event)} />
              </TableTd>
              <TableTd>{event.action}</TableTd>
              <TableTd>
                <PartyName party={targetOf(event)} />
              </TableTd>
              <TableTd>
                <PartyName party={clientOf(event)} />
              </TableTd>
              <TableTd>
                <Badge color={event.outcome === 'success' ? 'green' : 'red'} variant="light">
                  {event.outcome}
                </Badge>
              </TableTd>
              <TableTd>{summary(event)}</TableTd>
            </TableTr>
          ))}
        </TableTbody>
      </Table>
    </TableScrollContainer>
  );
}
