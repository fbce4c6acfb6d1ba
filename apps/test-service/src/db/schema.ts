import type { Generated } from '@platform/db';

export interface ItemsTable {
  id: string;
  name: string;
  /** Free-form JSON document, stored as text. */
  data: string;
  /** `sub` of the token that created it. */
  created_by: string;
  /** `act.sub` of that token: the client that acted for `created_by`; null when they acted themselves. */
  created_by_actor: string | null;
  created_at: Generated<number>;
}

export interface TestServiceSchema {
  items: ItemsTable;
}
