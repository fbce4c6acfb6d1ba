'use client';

import { Alert, Button, Code, CopyButton, Group, Text } from '@mantine/core';
import { useRouter } from 'next/navigation';
import { useState } from 'react';

// A client secret exists in exactly one API response; it is shown here once and is gone after "Done" or a
// reload (the portal keeps no copy). After a creation, "Done" goes on to the created client.
export function SecretOnce(props: {
  clientId: string;
  clientName?: string;
  value: string;
  doneHref?: string;
}) {
  const { clientId, clientName, value: secret, doneHref } = props;
  const [hidden, setHidden] = useState(false);
  const router = useRouter();
  if (hidden) return null;
  return (
    <Alert color="yellow" title="Client secret: copy it now" mt="sm" data-testid="client-secret">
      <Text size="sm" mb="xs">
        This is the only time the secret of <strong>{clientName ?? clientId}</strong> is shown. Store it in a
        secret manager with the client ID <Code>{clientId}</Code>: your application needs both. It cannot be
        retrieved again (rotate it to get a new one).
      </Text>
      <Code block data-testid="client-secret-value">
        {secret}
      </Code>
      <Group mt="sm">
        <CopyButton value={secret}>
          {({ copied, copy }) => (
            <Button variant="light" onClick={copy}>
              {copied ? 'Copied' : 'Copy'}
            </Button>
          )}
        </CopyButton>
        <Button variant="default" onClick={() => (doneHref ? router.push(doneHref) : setHidden(true))}>
          Done, I stored it
        </Button>
      </Group>
    </Alert>
  );
}
