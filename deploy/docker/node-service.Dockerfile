# The image of every Node service (oauth-service, kline-service, flow-service, test-service): one file,
# parameterised by build arguments, so the services cannot drift apart in how they are built and run.
#   SERVICE     the folder under apps/ (its package is @platform/<SERVICE>)
#   PORT        the port it listens on (also its HEALTHCHECK's and EXPOSE's)
#   NODE_FLAGS  V8 flags for the service (NODE_OPTIONS), e.g. kline-service's --max-semi-space-size=8
# Build context: the repository root (docker-compose.yml: `context: .`, `dockerfile: deploy/docker/node-service.Dockerfile`,
# `args: { SERVICE: …, PORT: … }`). Node 24 runs the TypeScript sources directly (type stripping), so there is
# no compile step: the build stage installs the production dependencies of the service and of the workspace
# packages it uses; the runtime stage copies them without the build tools and runs as the unprivileged
# `node` user.
ARG NODE_VERSION=24.21.0

FROM node:${NODE_VERSION}-bookworm-slim AS build
ARG SERVICE
RUN test -n "${SERVICE}" || { echo 'build with --build-arg SERVICE=<folder under apps/>' >&2; exit 1; }
# Toolchain for native addons (argon2, better-sqlite3) when no prebuilt binary fits.
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
RUN npm install --global --no-fund --no-audit pnpm@12.4.2
WORKDIR /app
# .dockerignore keeps node_modules, build output, data and secrets out of the context.
COPY . .
RUN pnpm install --frozen-lockfile --prod --filter "@platform/${SERVICE}..." \
    && rm -rf /root/.local/share/pnpm /root/.cache

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ARG SERVICE
ARG PORT
ARG NODE_FLAGS=
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=${PORT} \
    NODE_OPTIONS=${NODE_FLAGS}
WORKDIR /app
# Root-owned and read-only to the service user: the process cannot rewrite its own code.
COPY --from=build /app/package.json /app/pnpm-workspace.yaml ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/packages ./packages
COPY --from=build /app/apps/${SERVICE} ./apps/${SERVICE}
WORKDIR /app/apps/${SERVICE}
USER node
EXPOSE ${PORT}
# Liveness (/health); docker-compose.yml also waits on readiness (/ready) before starting dependants.
# Shell form, so that the service's PORT is the one probed.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD node -e "fetch('http://127.0.0.1:${PORT}/health').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
STOPSIGNAL SIGTERM
CMD ["node", "src/main.ts"]
