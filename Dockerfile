# Changeproof app image. Build: `docker build -t changeproof .`; run it with
# compose.yaml, or see docs/installing.md ("In a container").

# --- build: dependencies (better-sqlite3 compiled here), then lib/ from src/
FROM node:22-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 downloads a prebuilt binary when one fits, and compiles from source otherwise.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# Scripts off for the install (its `prepare` builds lib/, whose sources are not copied yet),
# then only better-sqlite3's own install script.
RUN npm ci --ignore-scripts --no-audit --no-fund \
 && npm rebuild better-sqlite3
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

# --- runtime: the compiled app, its production dependencies, no compilers
FROM node:22-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    LEDGER_PATH=/data/ledger.db
WORKDIR /app
# Code owned by root, read-only to the app's user; the ledger and its key live in /data.
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/lib ./lib
COPY package.json app.yml schema.json ./
COPY bin ./bin
COPY dist/verifier ./dist/verifier
RUN mkdir -p /data && chown node:node /data && chmod 700 /data
VOLUME ["/data"]
USER node
EXPOSE 3000
# Node itself (not npm) is the process that receives SIGTERM: it finishes running work
# and signs the ledger's final checkpoint before it exits.
STOPSIGNAL SIGTERM
CMD ["node", "lib/app/main.js"]
