import type { App, Handler } from '@platform/http';
import { callerOf } from './context.ts';
import type { AccountDeps, AccountKit } from './deps.ts';
import { DEFAULT_EVENTS, listEventsSchema } from './events.schemas.ts';
import { iso } from './schemas.ts';

// The caller's own security events from the audit log: when, what, from where and through which
// application. The events' details stay out (they are the administrators' record, not the user's).

const listEvents =
  (kit: AccountKit): Handler<typeof listEventsSchema> =>
  async (request) => {
    const events = await kit.repository.securityEvents(
      callerOf(request).id,
      request.query.limit ?? DEFAULT_EVENTS,
    );
    return events.map((event) => ({ ...event, at: iso(event.at) }));
  };

export function eventRoutes(app: App, _deps: AccountDeps, kit: AccountKit): void {
  app.get('/events', { onRequest: kit.guard, schema: listEventsSchema }, listEvents(kit));
}
