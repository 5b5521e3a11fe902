# syntax=docker/dockerfile:1
# Cavaridge appliance image: build the single executable, then run it alone in a small glibc image.
#
#   docker build -t cavaridge .
#   docker run -d -p 8787:8787 -v cavaridge-data:/data \
#     -e CAVARIDGE_SERVER_PUBLIC_URL=https://mcp.example.com \
#     -v /srv/cavaridge/config.toml:/etc/cavaridge/config.toml:ro cavaridge

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
 && install -d -m 0755 /etc/cavaridge

COPY --from=build /src/dist/cavaridge /usr/local/bin/cavaridge
# The example config with its demo tenants; mount your own over it. The environment below points its
# checkout-relative paths at the volume and opens the public listener on all interfaces (CAVARIDGE_<SECTION>_<KEY>
# overrides any scalar key). The admin listener stays on the container's loopback unless you override
# CAVARIDGE_ADMIN_LISTEN and CAVARIDGE_ADMIN_ALLOW_REMOTE deliberately.
COPY --chmod=0644 config.example.toml /etc/cavaridge/config.toml

ENV CAVARIDGE_CONFIG=/etc/cavaridge/config.toml \
    CAVARIDGE_SERVER_LISTEN=0.0.0.0:8787 \
    CAVARIDGE_DATABASE_URL=file:/data/cavaridge.db \
    CAVARIDGE_SECRETS_MASTER_KEY_FILE=/data/master.key

USER cavaridge:cavaridge
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8787

# The binary probes its own /readyz (store reachable, migrations applied); the image needs no curl.
HEALTHCHECK --interval=30s --timeout=10s --start-period=20s --retries=3 \
  CMD ["/usr/local/bin/cavaridge", "healthcheck", "--config", "/etc/cavaridge/config.toml", "--timeout", "5"]

# serve finishes in-flight requests and closes the store on SIGTERM (docker stop's default signal).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/cavaridge"]
CMD ["serve", "--config", "/etc/cavaridge/config.toml"]
