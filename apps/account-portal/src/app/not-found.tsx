import { Anchor, Stack, Text, Title } from '@mantine/core';

export default function NotFound() {
  return (
    <Stack maw={640}>
      <Title order={2}>Not found</Title>
      <Text>There is nothing at this address.</Text>
      {/* A plain link (a server component cannot hand next/link to Mantine's client component). */}
      <Anchor href="/account">Back to your profile</Anchor>
    </Stack>
  );
}
