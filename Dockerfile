# syntax=docker/dockerfile:1
# redsqs image. It needs a Redis: set REDIS_URL (docker-compose.yml wires one up), since the image
# carries no redis-server for the embedded default.

# Build stage: all dependencies, compile TypeScript; `npm run build` also copies the Lua scripts
# into dist/.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build

# Runtime stage: production dependencies and the compiled service only, run as the unprivileged
# `node` user of the base image.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build /app/dist ./dist
USER node
EXPOSE 9324
CMD ["node", "dist/main.js"]
