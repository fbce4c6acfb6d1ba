import { Stack, Text, Title } from '@mantine/core';
import { ButtonLink } from '../components/links.tsx';

export default function NotFound() {
  return (
    <Stack maw={640}>
      <Title order={2}>Not found</Title>
      <Text>There is nothing at this address, or it was deleted.</Text>
      <ButtonLink href="/" variant="default">
        Back to the overview
      </ButtonLink>
    </Stack>
  );
}
