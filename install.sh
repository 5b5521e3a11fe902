#!/bin/sh
# Installs the Cavaridge appliance on a Linux host (systemd), or into a directory that stands in for / (--prefix).
#
#   npm run build && sudo ./install.sh
#   ./install.sh --prefix /tmp/root --binary dist/cavaridge --no-user     # what the tests do
#
# Idempotent: run it again to upgrade the binary and the unit; an upgrade backs the database up first (the new
# binary applies its migrations when it starts). The first run writes a production config with `cavaridge init`
# (one MSP, one platform admin with a random password printed once, no demo). It NEVER overwrites an existing
# /etc/cavaridge/config.toml or /etc/cavaridge/master.key (the key encrypts the OAuth signing keys;
# replacing it would orphan them).
set -eu

SCRIPT_DIR=$(cd "$(dirname "$0")" && pwd)
PREFIX=""
BINARY="$SCRIPT_DIR/dist/cavaridge"
CREATE_USER=1
INIT_PUBLIC_URL=""
INIT_MSP_NAME=""
INIT_ADMIN_EMAIL=""
SERVICE_USER=cavaridge

# Installed locations, as the running service sees them (no prefix: the prefix simulates /).
BIN_PATH=/usr/local/bin/cavaridge
CONF_DIR=/etc/cavaridge
CONF_PATH=$CONF_DIR/config.toml
KEY_PATH=$CONF_DIR/master.key
DATA_DIR=/var/lib/cavaridge
DB_URL="file:$DATA_DIR/cavaridge.db"
UNIT_PATH=/etc/systemd/system/cavaridge.service

usage() {
  cat <<EOF
usage: install.sh [--prefix DIR] [--binary PATH] [--public-url URL] [--msp-name NAME] [--admin-email EMAIL]
                  [--no-user] [--help]

Installs:
  $BIN_PATH                    the single executable (replaced on upgrade, after a database backup)
  $CONF_PATH              written by 'cavaridge init' only if absent (mode 0640): one MSP tenant and one
                                            platform admin whose password is printed once; no demo users or data
  $KEY_PATH               32 random bytes, only if absent (mode 0600)
  $DATA_DIR/                   the embedded libSQL database (owned by the service user);
                                            backups/pre-upgrade-*.db taken before each upgrade
  $UNIT_PATH  hardened systemd unit (replaced on upgrade; systemctl reload re-reads the config)
and a '$SERVICE_USER' system user (root only).

Options:
  --prefix DIR            install under DIR instead of / (for packaging and tests; no systemctl is run).
                          Paths written into the config and the unit stay the real ones (/etc/..., /var/lib/...).
  --binary PATH           the executable to install (default: $SCRIPT_DIR/dist/cavaridge, made by 'npm run build')
  --public-url URL        first install: server.public_url of the new config (https://..., what clients connect to)
  --msp-name NAME         first install: the MSP tenant's name (default "My MSP")
  --admin-email EMAIL     first install: the platform admin's email (default admin@example.com)
  --no-user               do not create the '$SERVICE_USER' user (files stay owned by the invoking user)
  -h, --help              show this help
EOF
}

die() { echo "install.sh: $*" >&2; exit 1; }
note() { echo "install.sh: $*"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) [ $# -ge 2 ] || die "--prefix needs a directory"; PREFIX=$2; shift 2 ;;
    --prefix=*) PREFIX=${1#--prefix=}; shift ;;
    --binary) [ $# -ge 2 ] || die "--binary needs a path"; BINARY=$2; shift 2 ;;
    --binary=*) BINARY=${1#--binary=}; shift ;;
    --public-url) [ $# -ge 2 ] || die "--public-url needs a URL"; INIT_PUBLIC_URL=$2; shift 2 ;;
    --public-url=*) INIT_PUBLIC_URL=${1#--public-url=}; shift ;;
    --msp-name) [ $# -ge 2 ] || die "--msp-name needs a name"; INIT_MSP_NAME=$2; shift 2 ;;
    --msp-name=*) INIT_MSP_NAME=${1#--msp-name=}; shift ;;
    --admin-email) [ $# -ge 2 ] || die "--admin-email needs an address"; INIT_ADMIN_EMAIL=$2; shift 2 ;;
    --admin-email=*) INIT_ADMIN_EMAIL=${1#--admin-email=}; shift ;;
    --no-user) CREATE_USER=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $1" ;;
  esac
done

if [ -n "$PREFIX" ]; then
  mkdir -p "$PREFIX" || die "cannot create prefix $PREFIX"
  PREFIX=$(cd "$PREFIX" && pwd)
fi
[ -f "$BINARY" ] || die "binary not found: $BINARY (run 'npm run build' first, or pass --binary PATH)"

IS_ROOT=0
[ "$(id -u)" = "0" ] && IS_ROOT=1

# --- service user ------------------------------------------------------------------------------------------
HAVE_USER=0
if [ "$CREATE_USER" = 0 ]; then
  note "skipping the '$SERVICE_USER' user (--no-user); files stay owned by $(id -un)"
elif [ "$IS_ROOT" = 0 ]; then
  note "not root: skipping the '$SERVICE_USER' user; files stay owned by $(id -un)"
elif id -u "$SERVICE_USER" >/dev/null 2>&1; then
  HAVE_USER=1
else
  NOLOGIN=/usr/sbin/nologin
  [ -x "$NOLOGIN" ] || NOLOGIN=/bin/false
  if command -v useradd >/dev/null 2>&1; then
    useradd --system --user-group --home-dir "$DATA_DIR" --no-create-home --shell "$NOLOGIN" \
      --comment "Cavaridge appliance" "$SERVICE_USER"
  elif command -v adduser >/dev/null 2>&1; then
    # BusyBox/Alpine
    adduser -S -D -H -h "$DATA_DIR" -s "$NOLOGIN" -g "Cavaridge appliance" "$SERVICE_USER"
  else
    die "neither useradd nor adduser is available to create the '$SERVICE_USER' user (or pass --no-user)"
  fi
  note "created system user '$SERVICE_USER'"
  HAVE_USER=1
fi

# Writes stdin to $1 through a temp file in the same directory, so a reader never sees half a file.
write_atomically() {
  target=$1 mode=$2
  tmp=$(mktemp "$target.XXXXXX")
  cat >"$tmp"
  chmod "$mode" "$tmp"
  mv -f "$tmp" "$target"
}

# --- backup before an upgrade -------------------------------------------------------------------------------
# The new binary applies its migrations when the service restarts; take a copy first, so a bad upgrade can be undone
# with 'cavaridge restore'. `backup` exits 2 for a libSQL server (its backups are the server's job) and 3 when there
# is no database yet. With --prefix the config's paths are the real ones, so point the backup at the prefixed file.
mkdir -p "$PREFIX/usr/local/bin"
if [ -f "$PREFIX$BIN_PATH" ] && cmp -s "$BINARY" "$PREFIX$BIN_PATH"; then
  BINARY_CHANGED=0
else
  BINARY_CHANGED=1
fi
if [ "$BINARY_CHANGED" = 1 ] && [ -f "$PREFIX$BIN_PATH" ] && [ -f "$PREFIX$CONF_PATH" ]; then
  BACKUP_OUT="$PREFIX$DATA_DIR/backups/pre-upgrade-$(date -u +%Y%m%dT%H%M%SZ).db"
  if [ -n "$PREFIX" ]; then
    CAVARIDGE_DATABASE_URL="file:$PREFIX$DATA_DIR/cavaridge.db" "$BINARY" backup --config "$PREFIX$CONF_PATH" --out "$BACKUP_OUT" && rc=0 || rc=$?
  else
    "$BINARY" backup --config "$CONF_PATH" --out "$BACKUP_OUT" && rc=0 || rc=$?
  fi
  case "$rc" in
    0) note "backed up the database to $BACKUP_OUT"
       if [ "$HAVE_USER" = 1 ]; then chown -R "$SERVICE_USER:$SERVICE_USER" "$PREFIX$DATA_DIR"; fi ;;
    2) note "the database is a libSQL server: back it up there before the new binary migrates it" ;;
    3) note "no database yet: nothing to back up" ;;
    *) die "the pre-upgrade backup failed (see above); the installed binary was left as it was" ;;
  esac
fi

# --- binary ------------------------------------------------------------------------------------------------
if [ "$BINARY_CHANGED" = 0 ]; then
  note "binary unchanged: $PREFIX$BIN_PATH"
else
  write_atomically "$PREFIX$BIN_PATH" 0755 <"$BINARY"
  note "installed $PREFIX$BIN_PATH"
fi

# --- data directory ----------------------------------------------------------------------------------------
mkdir -p "$PREFIX$DATA_DIR"
chmod 0750 "$PREFIX$DATA_DIR"
if [ "$HAVE_USER" = 1 ]; then chown "$SERVICE_USER:$SERVICE_USER" "$PREFIX$DATA_DIR"; fi

# --- config (never overwritten) ----------------------------------------------------------------------------
mkdir -p "$PREFIX$CONF_DIR"
chmod 0755 "$PREFIX$CONF_DIR"
CONFIG_CREATED=0
if [ -e "$PREFIX$CONF_PATH" ]; then
  note "keeping existing $PREFIX$CONF_PATH"
else
  # The binary writes the config (the first-run logic lives there, where it is tested): no demo tenants or users,
  # one MSP and one platform admin whose random password is printed once below; only its argon2id hash is stored.
  set -- init --config "$PREFIX$CONF_PATH" --database-url "$DB_URL" --master-key-file "$KEY_PATH" --prefix "$PREFIX"
  [ -n "$INIT_PUBLIC_URL" ] && set -- "$@" --public-url "$INIT_PUBLIC_URL"
  [ -n "$INIT_MSP_NAME" ] && set -- "$@" --msp-name "$INIT_MSP_NAME"
  [ -n "$INIT_ADMIN_EMAIL" ] && set -- "$@" --admin-email "$INIT_ADMIN_EMAIL"
  "$BINARY" "$@" || die "cavaridge init failed (see above)"
  CONFIG_CREATED=1
  note "created $PREFIX$CONF_PATH: before the first start, set server.public_url (the https URL clients reach),"
  note "  check server.listen / trusted_proxies for your reverse proxy, and add users: cavaridge user add --help"
fi
# The config holds password hashes: readable by the service, not by everyone.
if [ "$HAVE_USER" = 1 ]; then chown "root:$SERVICE_USER" "$PREFIX$CONF_PATH"; fi

# --- master key (never overwritten) ------------------------------------------------------------------------
if [ -e "$PREFIX$KEY_PATH" ]; then
  note "keeping existing $PREFIX$KEY_PATH"
else
  old_umask=$(umask)
  umask 077
  head -c 32 /dev/urandom | base64 | tr -d '\n' | write_atomically "$PREFIX$KEY_PATH" 0600
  umask "$old_umask"
  note "created $PREFIX$KEY_PATH (back it up: it decrypts the OAuth signing keys)"
fi
if [ "$HAVE_USER" = 1 ]; then chown "$SERVICE_USER:$SERVICE_USER" "$PREFIX$KEY_PATH"; fi

# --- systemd unit (replaced on upgrade; local changes belong in a drop-in: systemctl edit cavaridge) -----------
mkdir -p "$PREFIX/etc/systemd/system"
UNIT_TMP=$(mktemp)
cat >"$UNIT_TMP" <<EOF
# Installed by Cavaridge install.sh; replaced on upgrade. Put local changes in a drop-in (systemctl edit cavaridge).
[Unit]
Description=Cavaridge MCP appliance
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
User=$SERVICE_USER
Group=$SERVICE_USER
ExecStart=$BIN_PATH serve --config $CONF_PATH
# systemctl reload: re-read the config and apply tenants and users (listeners, public_url, TLS, database need a restart).
ExecReload=/bin/kill -HUP \$MAINPID
WorkingDirectory=$DATA_DIR
# Secrets such as CAVARIDGE_DB_AUTH_TOKEN or CAVARIDGE_MASTER_KEY, and CAVARIDGE_<SECTION>_<KEY> overrides.
EnvironmentFile=-$CONF_DIR/cavaridge.env
# serve finishes in-flight requests and closes the store on SIGTERM.
KillSignal=SIGTERM
TimeoutStopSec=30
Restart=on-failure
RestartSec=2s

# Hardening. The process writes only its data directory.
NoNewPrivileges=true
ProtectSystem=strict
ReadWritePaths=$DATA_DIR
# The executable unpacks its embedded libSQL addon into \$TMPDIR and loads it from there; PrivateTmp gives it a
# writable /tmp under ProtectSystem=strict. If the host mounts /tmp noexec, add Environment=TMPDIR=$DATA_DIR.
PrivateTmp=true
ProtectHome=true
PrivateDevices=true
ProtectKernelTunables=true
ProtectKernelModules=true
ProtectKernelLogs=true
ProtectControlGroups=true
ProtectClock=true
ProtectHostname=true
RestrictNamespaces=true
RestrictRealtime=true
RestrictSUIDSGID=true
LockPersonality=true
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX
SystemCallArchitectures=native
# No capabilities: the default ports are unprivileged. To listen on 443 directly, add
# AmbientCapabilities=CAP_NET_BIND_SERVICE and CapabilityBoundingSet=CAP_NET_BIND_SERVICE in a drop-in.
CapabilityBoundingSet=
UMask=0077
LimitNOFILE=65536
# Not MemoryDenyWriteExecute: the JavaScript JIT needs writable+executable pages.

[Install]
WantedBy=multi-user.target
EOF
if [ -f "$PREFIX$UNIT_PATH" ] && cmp -s "$UNIT_TMP" "$PREFIX$UNIT_PATH"; then
  rm -f "$UNIT_TMP"
  note "unit unchanged: $PREFIX$UNIT_PATH"
  UNIT_CHANGED=0
else
  write_atomically "$PREFIX$UNIT_PATH" 0644 <"$UNIT_TMP"
  rm -f "$UNIT_TMP"
  note "installed $PREFIX$UNIT_PATH"
  UNIT_CHANGED=1
fi

# --- systemd (only on the real root) -----------------------------------------------------------------------
if [ -z "$PREFIX" ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
  if [ "$UNIT_CHANGED" = 1 ]; then systemctl daemon-reload; fi
  if [ "$CONFIG_CREATED" = 1 ]; then
    # Never enabled before someone has edited the new config.
    note "next: edit $CONF_PATH, cavaridge config check, then: systemctl enable --now cavaridge"
  elif systemctl is-active --quiet cavaridge.service; then
    if [ "$BINARY_CHANGED" = 1 ] || [ "$UNIT_CHANGED" = 1 ]; then
      systemctl restart cavaridge.service && note "restarted cavaridge.service"
    fi
  else
    systemctl enable cavaridge.service >/dev/null 2>&1 || note "could not enable cavaridge.service"
    note "next: cavaridge config check, then: systemctl start cavaridge"
  fi
elif [ -z "$PREFIX" ]; then
  note "systemd not detected: start it with '$BIN_PATH serve --config $CONF_PATH' as '$SERVICE_USER'"
fi

if [ -z "$PREFIX" ] && [ -x "$BIN_PATH" ]; then
  "$BIN_PATH" config check --config "$CONF_PATH" || note "the config above has problems: fix them before starting"
fi
note "done"
