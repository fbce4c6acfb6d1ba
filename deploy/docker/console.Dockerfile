# The image of each console (admin-portal, basePath /admin, port 3002; account-portal, basePath /account,
# port 3006): one file, parameterised by build arguments, so the consoles cannot drift apart in how they are
# built and run.
#   CONSOLE  the folder under apps/ (its package is @platform/<CONSOLE>)
#   PORT     the port it listens on (also its HEALTHCHECK's and EXPOSE's)
# Build context: the repository root (docker-compose.yml: `context: .`, `dockerfile: deploy/docker/console.Dockerfile`,
# `args: { CONSOLE: …, PORT: … }`): the console needs the workspace's shared packages and lockfile. It runs its
# own small server (src/server.ts: config check, /health, /ready, /metrics, the `/` redirect) around the
# Next build, so the whole built workspace is copied, not Next's standalone output.
ARG NODE_VERSION=24.21.0

FROM node:${NODE_VERSION}-bookworm-slim AS build
ARG CONSOLE
RUN test -n "${CONSOLE}" || { echo 'build with --build-arg CONSOLE=<folder under apps/>' >&2; exit 1; }
RUN npm install --global --no-fund --no-audit pnpm@12.4.2
WORKDIR /repo
COPY . .
ENV NEXT_TELEMETRY_DISABLED=1
# Only the console and what it depends on (no native modules).
RUN pnpm install --frozen-lockfile --filter "@platform/${CONSOLE}..." \
    && cd "apps/${CONSOLE}" && pnpm exec next build

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ARG CONSOLE
ARG PORT
# Production refuses development secrets: set the console's client secret and SESSION_SECRET (see
# deploy/env/<CONSOLE>.env.example).
ENV NODE_ENV=production PORT=${PORT} HOST=0.0.0.0 NEXT_TELEMETRY_DISABLED=1
WORKDIR /repo
COPY --from=build --chown=node:node /repo /repo
WORKDIR /repo/apps/${CONSOLE}
USER node
EXPOSE ${PORT}
# /health is the path the gateway's health check uses for this upstream (config/*.yaml). Shell form, so that
# the console's PORT is the one probed.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD node -e "fetch('http://127.0.0.1:${PORT}/health').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
STOPSIGNAL SIGTERM
CMD ["node", "src/server.ts"]
