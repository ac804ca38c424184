# syntax=docker/dockerfile:1
# Outloud: a Slack and Matrix bot. Build: docker build -t outloud .
# Run (SQLite in a volume):  docker run --env-file .env -v outloud-data:/data -p 3000:3000 outloud
# Several replicas: set DATABASE_URL=postgres://… (see docs/deploy.md).

ARG NODE_IMAGE=node:20-bookworm-slim

# --- build: install production dependencies, compiling better-sqlite3 against this image's Node ---
FROM ${NODE_IMAGE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# The project pins npm 11 (the lockfile is written by it).
RUN npm install -g npm@11.19.1
WORKDIR /app
COPY package.json package-lock.json ./
# Build native modules from source rather than downloading prebuilt binaries: the result matches the
# runtime image's glibc and Node ABI exactly, and the build needs no host other than the registry.
# node-gyp takes the headers from the image (nodedir) instead of downloading them from nodejs.org.
ENV npm_config_build_from_source=true \
    npm_config_nodedir=/usr/local
RUN npm ci --omit=dev --no-audit --no-fund \
 && node -e "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()"

# --- runtime: no compiler, non-root, data in a volume ---
FROM ${NODE_IMAGE} AS runtime
# git for the Markdown/ADR decision exporter; tini reaps the git processes it starts and forwards signals.
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates tini \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    OUTLOUD_DATA_DIR=/data \
    PORT=3000
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY src ./src
COPY migrations ./migrations
COPY config ./config
# The node image's unprivileged user (uid 1000) owns only the data directory; the code stays read-only to it.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
# /healthz answers when the process is up; it is served on HEALTH_PORT when set (Matrix, Socket Mode), else on PORT.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.HEALTH_PORT||process.env.PORT||3000}/healthz`).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
# What `npm start` runs, without npm in between, so SIGTERM reaches Outloud and shutdown is clean.
CMD ["node", "--import", "tsx", "src/main.ts"]
