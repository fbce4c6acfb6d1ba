// Request and response types read out of the generated OpenAPI types (@platform/web-session/openapi-types).
export type { ItemOf, RequestOf, ResponseOf } from '@platform/web-session/openapi-types';
