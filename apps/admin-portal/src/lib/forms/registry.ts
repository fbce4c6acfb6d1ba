import type { z } from 'zod';
import {
  auditFilterSchema,
  clientCreateSchema,
  clientUpdateSchema,
  keyRotationSchema,
  passwordResetSchema,
  permissionSchema,
  resourceServerSchema,
  roleSchema,
  scopeSchema,
  userCreateSchema,
  userUpdateSchema,
} from './schemas.ts';
import { upstreamProviderSchema } from './upstream-provider-schema.ts';

// Client components name the schema of their form (a schema cannot be passed from a Server Component).
export const SCHEMAS = {
  userCreate: userCreateSchema,
  userUpdate: userUpdateSchema,
  passwordReset: passwordResetSchema,
  role: roleSchema,
  permission: permissionSchema,
  clientCreate: clientCreateSchema,
  clientUpdate: clientUpdateSchema,
  resourceServer: resourceServerSchema,
  scope: scopeSchema,
  keyRotation: keyRotationSchema,
  auditFilter: auditFilterSchema,
  upstreamProvider: upstreamProviderSchema,
} satisfies Record<string, z.ZodType>;

export type SchemaName = keyof typeof SCHEMAS;
