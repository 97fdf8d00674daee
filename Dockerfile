# syntax=docker/dockerfile:1
# CloudPAM container image (issue #17).
#   docker build -t cloudpam .
#   docker run -p 8080:8080 -v cloudpam-data:/data cloudpam      # the bootstrap admin token is printed once on stdout
# Build stage: all dependencies, compile the server (tsc -> dist/) and the web UI when the project has one,
# then drop dev dependencies. Runtime stage: the pinned slim Node 24 base, production dependencies only.
# NODE_IMAGE is the base of both stages; the release build uses this pinned default. A machine without registry
# access builds a stand-in (scripts/image-base.sh) and passes --build-arg NODE_IMAGE=cloudpam-local/node:24-slim
# (scripts/image-smoke.sh does both and checks the running container).
ARG NODE_IMAGE=node:24.22.3-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary matches the platform.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# Unset by default; a local build may point npm at a registry mirror (scripts/image-smoke.sh passes the host's).
ARG NPM_CONFIG_REGISTRY
RUN npm ci --no-audit --no-fund
COPY . .
# After pruning, drop what production never reads: type declarations and source maps of dependencies, and
# better-sqlite3's sources and compiler output when it was built here (only its .node addon is loaded).
RUN npm run build \
 && npm run --if-present build:web \
 && mkdir -p web/dist \
 && npm prune --omit=dev --no-audit --no-fund \
 && find node_modules -type f \( -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.map' \) -delete \
 && rm -rf node_modules/better-sqlite3/deps node_modules/better-sqlite3/src \
      node_modules/better-sqlite3/build/Release/obj node_modules/better-sqlite3/build/Release/obj.target \
      node_modules/better-sqlite3/build/Release/.deps node_modules/better-sqlite3/build/Release/test_extension.node \
 && find node_modules/better-sqlite3/build -name '*.a' -delete

FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
# Inside a container the server must listen on all interfaces, and CloudPAM accepts a non-loopback address
# only with authentication on: keep AUTH=on (tokens or OIDC). Data lives on the /data volume.
ENV NODE_ENV=production \
    ADDR=0.0.0.0:8080 \
    AUTH=on \
    SQLITE_DSN=/data/cloudpam.db
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/drizzle ./drizzle
COPY --from=build /app/web/dist ./web/dist
RUN printf '#!/bin/sh\nexec node /app/dist/main.js "$@"\n' > /usr/local/bin/cloudpam \
 && chmod 0755 /usr/local/bin/cloudpam \
 && mkdir -p /data \
 && chown 1000:1000 /data
# The base image's "node" user, by number so that Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 8080
VOLUME /data
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "/app/dist/main.js"]
CMD ["serve"]
