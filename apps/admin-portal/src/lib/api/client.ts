// The console's one HTTP client for the platform's JSON APIs (@platform/web-session/api-client): server-side
// with the session's bearer token on a service's internal URL, in the browser through the portal's relays.
export {
  type ApiClient,
  type ApiClientOptions,
  createApiClient,
  type Method,
  type Query,
  type RequestOptions,
  segment,
  urlOf,
} from '@platform/web-session/api-client';
