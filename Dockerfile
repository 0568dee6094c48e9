# syntax=docker/dockerfile:1
#
# less-sync production image (BOOT-06).
#
#   docker build -t less-sync .
#   docker run -p 5379:5379 -v less-sync-data:/var/lib/less-sync \
#     -e TRUSTED_ISSUERS=https://accounts.example.com less-sync
#
# The runtime keeps the workspace layout (/app/packages/*, /app/apps/*, /app/migrations) with production
# dependencies only. `pnpm deploy` is not used on purpose: it deploys a single package and moves workspace
# packages into node_modules/.pnpm, where the storage package no longer finds the migrations folder (it
# resolves the repository's migrations/ relative to itself, for the server and the migrate CLI alike).

# Node.js 22 LTS (the code also runs on Node 20.19+).
ARG NODE_IMAGE=node:22-bookworm-slim

# ---- build: every package compiled with the full (dev) dependency set, then a production-only tree in /app
FROM ${NODE_IMAGE} AS build
ENV CI=true \
    TURBO_TELEMETRY_DISABLED=1 \
    DO_NOT_TRACK=1
RUN npm i -g pnpm@10
WORKDIR /build

# Only the lockfile: the package download layer stays cached until dependencies change.
COPY pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
RUN pnpm fetch

COPY . .
RUN pnpm install --offline --frozen-lockfile \
 && pnpm build

# Assemble the runtime tree: manifests, compiled output, migrations, production dependencies.
RUN set -eu; \
    mkdir -p /app; \
    cp package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc /app/; \
    cp -R migrations /app/migrations; \
    for dir in packages/* apps/*; do \
      [ -f "$dir/package.json" ] || continue; \
      mkdir -p "/app/$dir"; \
      cp "$dir/package.json" "/app/$dir/"; \
      if [ -d "$dir/dist" ]; then cp -R "$dir/dist" "/app/$dir/dist"; fi; \
    done; \
    find /app -name '*.tsbuildinfo' -delete; \
    cd /app; \
    pnpm install --offline --frozen-lockfile --prod --ignore-scripts; \
    test -f apps/server/dist/main.js; \
    test -f apps/migrate/dist/main.js; \
    test -f apps/federation-keygen/dist/main.js; \
    test -f migrations/001_initial.up.sql

# ---- runtime
FROM ${NODE_IMAGE} AS runtime

# CA certificates for outbound TLS (JWKS, S3, PostgreSQL); wget for the HEALTHCHECK (GET /livez).
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates wget \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 65532 nonroot \
 && useradd --system --uid 65532 --gid nonroot --home-dir /nonexistent --no-create-home \
      --shell /usr/sbin/nologin nonroot

WORKDIR /app
# The code stays root-owned (read-only for the server); /app itself and the data directory belong to nonroot.
COPY --from=build /app /app
COPY --chmod=0755 docker/entrypoint.sh /app/docker/entrypoint.sh
COPY --chmod=0755 docker/healthcheck.sh /app/docker/healthcheck.sh
RUN mkdir -p /var/lib/less-sync/files \
 && chown 65532:65532 /app /var/lib/less-sync /var/lib/less-sync/files

# The embedded database lives in /var/lib/less-sync/pglite and local files in /var/lib/less-sync/files
# (unless DATABASE_URL / FILE_STORAGE_* say otherwise). NODE_ENV=production: no development issuer, so
# TRUSTED_ISSUERS must be set.
ENV NODE_ENV=production \
    LISTEN_ADDR=0.0.0.0:5379 \
    LESS_SYNC_DATA_DIR=/var/lib/less-sync
VOLUME /var/lib/less-sync

USER 65532:65532
EXPOSE 5379
# Liveness only (see docker/healthcheck.sh); the start period covers migrations on a first start.
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 CMD ["/app/docker/healthcheck.sh"]
ENTRYPOINT ["/app/docker/entrypoint.sh"]
