import { PageHeader } from '@platform/ui/page-header';
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { AnchorLink } from '../../../../../components/links.tsx';
import { DefinitionEditor } from '../../../../../components/workflows/definition-editor.tsx';
import { can } from '../../../../../lib/access/permissions.ts';
import { segment } from '../../../../../lib/api/client.ts';
import { load } from '../../../../../lib/api/page.ts';
import { ApiError } from '../../../../../lib/api/problem.ts';
import { flowApi } from '../../../../../lib/flow-api/client.ts';
import type { DefinitionRecord } from '../../../../../lib/flow-api/definitions.ts';
import { requirePermission } from '../../../../../lib/session/current.ts';
import { DEFINITION_ID, newDefinitionSource } from '../../../../../lib/workflows/definition-source.ts';

export const metadata: Metadata = { title: 'Edit workflow definition' };

/** The latest version, or null for an id no definition has yet (the editor then starts from a template). */
async function latestOrNone(read: Promise<DefinitionRecord>): Promise<DefinitionRecord | null> {
  try {
    return await read;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

export default async function EditDefinitionPage(props: { params: Promise<{ id: string }> }) {
  const session = await requirePermission('flow:write');
  const { id } = await props.params;
  if (!DEFINITION_ID.test(id)) notFound();
  const latest = await load(
    latestOrNone(flowApi(session).get<DefinitionRecord>(`/definitions/${segment(id)}`)),
  );
  return (
    <>
      <PageHeader
        title={latest ? `Edit ${latest.name ?? id}` : `New definition ${id}`}
        description={
          latest
            ? `Starts from version ${latest.version}; saving stores version ${latest.version + 1}. Earlier versions stay, and runs keep the version they started with.`
            : 'Starts from a small example; saving stores version 1.'
        }
        actions={
          latest ? (
            <AnchorLink href={`/workflows/definitions/${segment(id)}`}>Back to the definition</AnchorLink>
          ) : null
        }
      />
      <DefinitionEditor
        initial={latest?.source ?? newDefinitionSource(id)}
        canWrite={can(session.permissions, 'flow:write')}
      />
    </>
  );
}
