import { Button, Group, NativeSelect, Paper, SimpleGrid, Text, TextInput } from '@mantine/core';
import type { FieldErrors } from '../../lib/forms/schemas.ts';
import type { ListSort } from '../../lib/lists/list-params.ts';
import type { AuditSort } from '../../lib/lists/sorts.ts';
import { ButtonLink } from '../links.tsx';

/** The audit log's filters, a GET form: the address holds the filters, so a filtered view can be shared. */
export function AuditFilters(props: {
  raw: Record<string, string>;
  errors: FieldErrors;
  invalid: boolean;
  sort: ListSort<AuditSort>;
}) {
  const { raw, errors, invalid, sort } = props;
  return (
    <Paper withBorder p="md" mb="md">
      <form method="get" aria-label="Filter the audit log">
        {/* A new filter keeps the order and starts from the first page. */}
        <input type="hidden" name="sort" value={sort.sort} />
        <input type="hidden" name="order" value={sort.order} />
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
          <TextInput
            name="actor"
            label="Actor (username, user id or client id)"
            defaultValue={raw.actor ?? ''}
            error={errors.actor}
          />
          <TextInput
            name="action"
            label="Action"
            placeholder="user.create or user.*"
            defaultValue={raw.action ?? ''}
            error={errors.action}
          />
          <TextInput
            name="client_id"
            label="Client"
            defaultValue={raw.client_id ?? ''}
            error={errors.client_id}
          />
          <NativeSelect
            name="outcome"
            label="Outcome"
            defaultValue={raw.outcome ?? ''}
            data={[
              { value: '', label: 'Any' },
              { value: 'success', label: 'Success' },
              { value: 'failure', label: 'Failure' },
            ]}
          />
          <TextInput
            name="from"
            label="From (UTC)"
            type="datetime-local"
            defaultValue={raw.from ?? ''}
            error={errors.from}
          />
          <TextInput
            name="to"
            label="To (UTC)"
            type="datetime-local"
            defaultValue={raw.to ?? ''}
            error={errors.to}
          />
        </SimpleGrid>
        <Group mt="md">
          <Button type="submit">Filter</Button>
          <ButtonLink href="/audit" variant="default">
            Clear
          </ButtonLink>
        </Group>
      </form>
      {invalid ? (
        <Text c="red" size="sm" mt="xs" role="alert">
          Some filters are invalid and were ignored.
        </Text>
      ) : null}
    </Paper>
  );
}
