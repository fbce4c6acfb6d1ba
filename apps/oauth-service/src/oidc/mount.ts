import type { RequestListener } from 'node:http';
import { DRAIN_SIGNALS } from '@platform/http';
import type { FastifyInstance } from 'fastify';
import { OIDC_ROUTES } from './routes.ts';

// oidc-provider is a Koa app; it reads its own request bodies, so its requests are handed over in the
// route's onRequest hook, before Fastify would consume the body. Fastify still routes them (so metrics carry the
// endpoint as `route`) and still stamps the request id.

const ALL_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'] as const;

/** RFC 8414 metadata is the same document as OIDC discovery, published at its own well-known path. */
const AS_METADATA_PATH = '/.well-known/oauth-authorization-server';

/** `handler` returns the current provider's request listener (it changes when signing keys change). */
export function mountProvider(app: FastifyInstance, handler: () => RequestListener): void {
  const paths = new Set<string>([
    ...Object.values(OIDC_ROUTES),
    '/oauth/*',
    '/.well-known/openid-configuration',
    AS_METADATA_PATH,
  ]);
  for (const url of paths) {
    app.route({
      method: [...ALL_METHODS],
      url,
      schema: { hide: true },
      // Never reached: the onRequest hook hands every request to the provider.
      handler: async () => undefined,
      onRequest: async (request, reply) => {
        reply.hijack();
        const raw = request.raw;
        if (url === AS_METADATA_PATH)
          raw.url = raw.url!.replace(AS_METADATA_PATH, '/.well-known/openid-configuration');
        reply.raw.setHeader('x-request-id', request.id);
        // A hijacked reply skips Fastify's onSend hooks: the drain signals are set here (see @platform/http).
        if (app.lifecycle.draining)
          for (const [name, value] of Object.entries(DRAIN_SIGNALS)) reply.raw.setHeader(name, value);
        handler()(raw, reply.raw);
        return reply;
      },
    });
  }
}
