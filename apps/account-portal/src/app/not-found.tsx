import { Anchor, Stack, Text, Title } from '@mantine/core';
import Link from 'next/link';

export default function NotFound() {
  return (
    <Stack maw={640}>
      <Title order={2}>Not found</Title>
      <Text>There is nothing at this address.</Text>
      <Anchor component={Link} href="/">
        Back to your profile
      </Anchor>
    </Stack>
  );
}
