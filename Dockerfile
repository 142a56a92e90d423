# syntax=docker/dockerfile:1

# Node 25 and later link libatomic: the official image ships it, a minimal bookworm does not, and
# installing it where it is present changes nothing.
FROM node:26-bookworm-slim AS base
RUN apt-get update && apt-get install -y --no-install-recommends libatomic1 \
    && rm -rf /var/lib/apt/lists/*

# Compiles TypeScript to dist/ with the full (dev) dependency set.
FROM base AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY contract/package.json ./contract/
COPY client/package.json ./client/
RUN npm ci --no-audit --no-fund
COPY nest-cli.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY contract ./contract
COPY client ./client
RUN npm run build

# Only what the server needs at run time.
FROM base AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY contract/package.json ./contract/
COPY client/package.json ./client/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM base
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The server imports @switchboard/contract, linked from node_modules to this workspace's build.
COPY --from=build /app/contract/package.json ./contract/
COPY --from=build /app/contract/dist ./contract/dist
COPY --from=build /app/client/dist/browser ./client/dist/browser
COPY package.json ./
COPY public ./public
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/main.js"]
