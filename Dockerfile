# syntax=docker/dockerfile:1
# redsqs with its own redis-server: `docker run -p 9324:9324 <image>` is all it takes. Messages are
# kept in /data (a volume) by the embedded Redis's append-only file. Set REDIS_URL (or
# REDIS_CLUSTER_NODES) to use a Redis of your own instead; /data then stays empty.

# Node 26 is the Active LTS line. trixie is the current Debian stable and the default Debian of the
# official node:26 images (redsqs needs Redis 6.2 or later; trixie's redis-server is newer).
FROM node:26-trixie-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the package's `prepare` script would build before the sources are here.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build

# Runtime stage: redis-server, production dependencies and the compiled service, run as the
# unprivileged `node` user of the base image.
FROM node:26-trixie-slim
# Debian's redis-server: redsqs starts it itself, on loopback, with its files in DATA_DIR.
RUN apt-get update \
    && apt-get install -y --no-install-recommends redis-server \
    && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY LICENSE ./
# A fresh volume takes its owner from the image's /data, so the node user can write to it.
RUN mkdir /data && chown node:node /data
VOLUME ["/data"]
# HOST: listen on every interface of the container, or a published port reaches nothing.
# REDSQS_SHUTDOWN_TIMEOUT_SECONDS: a stop must end before `docker stop` kills it (10 s by default).
ENV HOST=0.0.0.0 \
    DATA_DIR=/data \
    REDSQS_SHUTDOWN_TIMEOUT_SECONDS=8
USER node
EXPOSE 9324
# /health answers 503 until redsqs is ready, 200 after: check every second while starting.
# Slim images have no curl; node's fetch does the probe. PORT is read in case it was changed.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --start-interval=1s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 9324) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself receives the stop signal (no npm or shell in between) and shuts down cleanly.
STOPSIGNAL SIGTERM
CMD ["node", "dist/main.js"]
