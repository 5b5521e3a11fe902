# syntax=docker/dockerfile:1
# Cavaridge appliance image: build the single executable, then run it alone in a small glibc image.
#
#   docker build -t cavaridge .
#   docker run -d --name cavaridge -p 8787:8787 -v cavaridge-data:/data -v cavaridge-etc:/etc/cavaridge \
#     -e CAVARIDGE_SERVER_PUBLIC_URL=https://mcp.example.com cavaridge
#   docker exec cavaridge cat /etc/cavaridge/initial-admin-password     # first start only; then delete it

# --- build: Bun comes from node_modules (the `bun` devDependency pinned in package-lock.json) -----------------
FROM node:22-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# scripts/build.ts embeds the libSQL addon matching this stage's platform (linux-<arch>-gnu on bookworm).
RUN npm run build && ./dist/cavaridge version

# --- runtime: glibc (the embedded Bun runtime and libSQL addon link against it), no Node, no node_modules ----------
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /data --no-create-home --shell /usr/sbin/nologin cavaridge \
 && install -d -o cavaridge -g cavaridge -m 0750 /data \
 && install -d -o cavaridge -g cavaridge -m 0750 /etc/cavaridge

COPY --from=build /src/dist/cavaridge /usr/local/bin/cavaridge
# No config is baked in: on the first start `serve --init-if-missing` writes a production config (one MSP, one
# platform admin, no demo) into /etc/cavaridge, with the admin's random password in
# /etc/cavaridge/initial-admin-password (0600; only that path is logged, since stdout is a log). Mount your own
# config there instead if you have one. Two volumes: /data holds the database, /etc/cavaridge the config and the
# master key, so a copy of the database volume (or a backup) never carries the key that decrypts its signing keys.
# The environment opens the public listener on all interfaces (CAVARIDGE_<SECTION>_<KEY> overrides any scalar key);
# the admin listener stays on the container's loopback unless you override CAVARIDGE_ADMIN_LISTEN and
# CAVARIDGE_ADMIN_ALLOW_REMOTE deliberately.
ENV CAVARIDGE_CONFIG=/etc/cavaridge/config.toml \
    CAVARIDGE_SERVER_LISTEN=0.0.0.0:8787 \
    CAVARIDGE_DATABASE_URL=file:/data/cavaridge.db \
    CAVARIDGE_SECRETS_MASTER_KEY_FILE=/etc/cavaridge/master.key

USER cavaridge:cavaridge
WORKDIR /data
VOLUME ["/data", "/etc/cavaridge"]
EXPOSE 8787

# The binary probes its own /readyz (store reachable, migrations applied); the image needs no curl.
HEALTHCHECK --interval=30s --timeout=10s --start-period=20s --retries=3 \
  CMD ["/usr/local/bin/cavaridge", "healthcheck", "--config", "/etc/cavaridge/config.toml", "--timeout", "5"]

# serve finishes in-flight requests and closes the store on SIGTERM (docker stop's default signal);
# `docker kill -s HUP cavaridge` reloads the config.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/cavaridge"]
CMD ["serve", "--init-if-missing", "--config", "/etc/cavaridge/config.toml"]
