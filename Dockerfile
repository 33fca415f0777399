# syntax=docker/dockerfile:1
# One image for the subgraph replicas and the queue worker. TypeScript runs directly on Node 24
# through SWC (scripts/register.mjs), so there is no compile step besides the UI.

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build:client

# The supergraph schema Apollo Router serves, composed from the committed subgraph SDL.
FROM build AS supergraph
ARG ROUTING_URL=http://integrations:4001/graphql
RUN node --import ./scripts/register.mjs deploy/compose-supergraph.ts "$ROUTING_URL" > /supergraph.graphql
CMD ["cp", "/supergraph.graphql", "/supergraph/supergraph.graphql"]

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
# scripts/register.mjs compiles the TypeScript sources at start with SWC, with .swcrc's options.
COPY --from=build /app/.swcrc ./
COPY --from=build /app/scripts ./scripts
COPY --from=build /app/src ./src
COPY --from=build /app/migrations ./migrations
COPY --from=build /app/client/dist ./client/dist
USER node
EXPOSE 4001
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:4001/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--import", "./scripts/register.mjs", "src/main.ts"]
