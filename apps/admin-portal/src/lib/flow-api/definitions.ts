// flow-service's definition and schedule shapes as the console reads them: aliases of the types generated
// from its OpenAPI document (lib/api/generated/flow.ts, `pnpm api:types`).
import type { paths } from '../api/generated/flow.ts';
import type { ItemOf, ResponseOf } from '../api/types.ts';

type Get<P extends keyof paths> = ResponseOf<paths, P, 'get'>;
/** flow-service's answers carry every property its schemas list (each from a column or an explicit null). */
type Present<T> = { [K in keyof T]-?: Exclude<T[K], undefined> };

export type DefinitionVersion = Present<
  ItemOf<Present<Get<'/flow/api/v1/definitions/{id}/versions'>>['versions']>
>;
export type DefinitionRecord = Present<Get<'/flow/api/v1/definitions/{id}/versions/{version}'>>;
export type Schedule = Present<ItemOf<Present<Get<'/flow/api/v1/schedules'>>['schedules']>>;

type InvalidDefinition =
  paths['/flow/api/v1/definitions/validate']['post']['responses'][400]['content']['application/problem+json'];
/** One fault of a refused definition: its JSON Pointer and, for YAML text, its line and column. */
export type DefinitionFault = ItemOf<NonNullable<InvalidDefinition['errors']>>;

/** A definition step as the document states it (only what the DAG preview reads). */
export interface DocumentStep {
  id: string;
  type: string;
  name?: string;
  dependsOn?: string[];
}
