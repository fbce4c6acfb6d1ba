// Helpers that read request and response types out of a console's generated OpenAPI types
// (`pnpm api:types`, lib/api/generated/*.ts), so its types are the services' JSON Schemas and never a second
// description of them.

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type SuccessStatus = 200 | 201;

type JsonContent<T> = T extends { content: { 'application/json': infer Body } } ? Body : never;

/** The JSON body of an operation's success answer (200 or 201). */
export type ResponseOf<Paths, P extends keyof Paths, M extends Method> =
  Paths[P] extends Record<M, { responses: infer Responses }>
    ? JsonContent<Responses[SuccessStatus & keyof Responses]>
    : never;

/** The JSON request body of an operation. */
export type RequestOf<Paths, P extends keyof Paths, M extends Method> =
  Paths[P] extends Record<M, { requestBody?: infer Body }> ? JsonContent<NonNullable<Body>> : never;

/** One element of a list. */
export type ItemOf<List> = List extends ReadonlyArray<infer Item> ? Item : never;
