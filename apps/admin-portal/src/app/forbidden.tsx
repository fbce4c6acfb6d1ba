import { Alert, Stack, Title } from '@mantine/core';
import { ButtonLink } from '../components/links.tsx';

export default function Forbidden() {
  return (
    <Stack maw={640}>
      <Title order={2}>403 — Not allowed</Title>
      <Alert color="red" title="You do not have permission to open this page" role="alert">
        Your roles do not include the permission this page needs. Ask an administrator for access.
      </Alert>
      <ButtonLink href="/" variant="default">
        Back to the overview
      </ButtonLink>
    </Stack>
  );
}
