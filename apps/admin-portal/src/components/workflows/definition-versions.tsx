import {
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
import type { DefinitionVersion } from '../../lib/flow-api/definitions.ts';
import { AnchorLink } from '../links.tsx';

/** A definition's versions, newest first; each links to its view, the one shown is marked. */
export function DefinitionVersions(props: { id: string; versions: DefinitionVersion[]; shown: number }) {
  const base = `/workflows/definitions/${encodeURIComponent(props.id)}`;
  return (
    <TableScrollContainer minWidth={480}>
      <Table striped data-testid="definition-versions">
        <TableThead>
          <TableTr>
            <TableTh>Version</TableTh>
            <TableTh>Steps</TableTh>
            <TableTh>Created by</TableTh>
            <TableTh>Created</TableTh>
          </TableTr>
        </TableThead>
        <TableTbody>
          {props.versions.map((version) => (
            <TableTr
              key={version.version}
              data-testid={`definition-version-${version.version}`}
              aria-current={version.version === props.shown ? 'true' : undefined}
            >
              <TableTd>
                {version.version === props.shown ? (
                  <Text size="sm" fw={700}>
                    {version.version} (shown)
                  </Text>
                ) : (
                  <AnchorLink
                    href={`${base}?version=${version.version}`}
                  >{`Version ${version.version}`}</AnchorLink>
                )}
              </TableTd>
              <TableTd>{version.steps}</TableTd>
              <TableTd>{version.created_by}</TableTd>
              <TableTd>{when(version.created_at)}</TableTd>
            </TableTr>
          ))}
        </TableTbody>
      </Table>
    </TableScrollContainer>
  );
}
