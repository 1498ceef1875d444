# syntax=docker/dockerfile:1
# Sluice as a container: `sluice run` on the flows mounted at /flows, state on the /data volume, health, readiness
# and metrics on the ops port. Every install step is deploy/install.sh, which test/deploy/production-install.test.ts
# runs too (no Docker engine needed to test what this image runs).
#
#   docker build -t sluice .
#   docker run --read-only -v $PWD/flows:/flows:ro -v sluice-data:/data -p 9464:9464 sluice
ARG NODE_IMAGE=node:20.20-bookworm-slim

# 1. Build and pack: needs the dev dependencies (tsc, vite); none of them reaches the image.
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json .npmrc ./
# No install scripts: the build needs none (better-sqlite3 is built for the image in stage 2, Electron never).
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN deploy/install.sh pack /out

# 2. Production dependencies only. Cached as long as package.json and the lockfile do not change. The toolchain is
#    for better-sqlite3 when its prebuilt binary cannot be downloaded; it stays in this stage.
FROM ${NODE_IMAGE} AS deps
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json deploy/install.sh ./
RUN sh install.sh deps /src /app

# 3. The packed Sluice over those dependencies.
FROM deps AS app
COPY --from=build /out/sluice.tgz /tmp/sluice.tgz
RUN sh install.sh app /tmp/sluice.tgz /app

# 4. The image: Node, /app (read-only, owned by root), nothing else.
FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    PATH=/app/.bin:$PATH \
    SLUICE_OPS_PORT=9464 \
    SLUICE_OPS_HOST=0.0.0.0 \
    SLUICE_DATA_DIR=/data
COPY --from=app /app /app
# /data holds what the runtime writes (SQLite files, state); /flows is mounted read-only. With --read-only (or
# readOnlyRootFilesystem) mount a volume at /data, and a tmpfs at /tmp if a flow writes temporary files.
RUN mkdir -p /data /flows && chown node:node /data
USER node
WORKDIR /data
VOLUME ["/data"]
EXPOSE 9464
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.SLUICE_OPS_PORT + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Flows are mounted at /flows (a directory of flow files, or one file: `docker run ... sluice /flows/flow.json`).
ENTRYPOINT ["sluice", "run"]
CMD ["/flows"]
