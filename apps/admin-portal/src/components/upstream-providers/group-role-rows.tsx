'use client';

import { Button, Group, NativeSelect, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { GroupError, useFieldError } from '../form.tsx';

// The group → role mapping as rows the operator adds and removes. Each row submits
// `group_roles.<n>.group` and `group_roles.<n>.role`; the form's schema gathers them.

interface Row {
  key: number;
  group: string;
  role: string;
}

export function GroupRoleRows(props: { initial: Record<string, string>; roles: string[] }) {
  const [rows, setRows] = useState<Row[]>(() =>
    Object.entries(props.initial).map(([group, role], key) => ({ key, group, role })),
  );
  const [next, setNext] = useState(rows.length);
  const error = useFieldError('group_roles');
  const update = (key: number, change: Partial<Row>) =>
    setRows((current) => current.map((row) => (row.key === key ? { ...row, ...change } : row)));
  const options = [
    { value: '', label: 'Choose a role' },
    ...props.roles.map((r) => ({ value: r, label: r })),
  ];

  return (
    <fieldset style={{ border: 0, padding: 0, margin: 0 }} aria-invalid={error ? true : undefined}>
      <Text component="legend" size="sm" fw={500}>
        Groups → roles
      </Text>
      <Text size="xs" c="dimmed" mb={4}>
        A user in an upstream group gets the local role beside it.
      </Text>
      <Stack gap="xs">
        {rows.map((row, index) => (
          <Group key={row.key} align="flex-end" gap="xs" wrap="nowrap">
            <TextInput
              name={`group_roles.${index}.group`}
              label={`Upstream group ${index + 1}`}
              value={row.group}
              onChange={(event) => update(row.key, { group: event.currentTarget.value })}
              style={{ flex: 1 }}
            />
            <NativeSelect
              name={`group_roles.${index}.role`}
              label={`Local role ${index + 1}`}
              data={options}
              value={row.role}
              onChange={(event) => update(row.key, { role: event.currentTarget.value })}
            />
            <Button
              variant="subtle"
              color="red"
              onClick={() => setRows((current) => current.filter((r) => r.key !== row.key))}
              aria-label={`Remove group mapping ${index + 1}`}
            >
              Remove
            </Button>
          </Group>
        ))}
      </Stack>
      <Button
        variant="light"
        size="xs"
        mt="xs"
        onClick={() => {
          setRows((current) => [...current, { key: next, group: '', role: '' }]);
          setNext(next + 1);
        }}
      >
        Add group mapping
      </Button>
      <GroupError error={error} />
    </fieldset>
  );
}
