// Route handlers are typed from the route's own JSON Schemas: the schema a request is validated against is
// the type its handler sees, and the response schema is the type the handler must return. One source, no
// interfaces restating a schema beside it.
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import type {
  ContextConfigDefault,
  FastifyBaseLogger,
  FastifyInstance,
  FastifySchema,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
  RouteGenericInterface,
  RouteHandlerMethod,
} from 'fastify';
import type { FromSchema, FromSchemaDefaultOptions, FromSchemaOptions, JSONSchema } from 'json-schema-to-ts';

/**
 * How response schemas become return types: a `date-time` string may be returned as a Date, which the
 * serializer writes as ISO 8601.
 */
type SerializerOptions = Omit<FromSchemaDefaultOptions, 'deserialize'> & {
  deserialize: [{ pattern: { type: 'string'; format: 'date-time' }; output: Date | string }];
} & FromSchemaOptions;

export type SchemaTypeProvider = JsonSchemaToTsProvider<{
  ValidatorSchemaOptions: FromSchemaDefaultOptions;
  SerializerSchemaOptions: SerializerOptions;
}>;

/** The Fastify instance every service builds on, its handlers typed from their schemas. */
export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  SchemaTypeProvider
>;

/** The type a JSON Schema (declared `as const`) describes, for code beside the routes that shares it. */
export type SchemaType<Schema extends JSONSchema> = FromSchema<Schema>;

/**
 * A route handler typed from its route's schema, for handlers declared as named functions apart from the
 * `app.get(…)` line that registers them: `const getItem: Handler<typeof getItemSchema> = async (request) => …`.
 */
export type Handler<Schema extends FastifySchema> = RouteHandlerMethod<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  RouteGenericInterface,
  ContextConfigDefault,
  Schema,
  SchemaTypeProvider
>;
