#!/bin/sh
# Installs the Cavaridge appliance on a Linux host (systemd), or into a directory that stands in for / (--prefix).
#
#   npm run build && sudo ./install.sh
#   ./install.sh --prefix /tmp/root --binary dist/cavaridge --no-user     # what the tests do
#
# Idempotent: run it again to upgrade the binary and the unit. It NEVER overwrites an existing
# /etc/cavaridge/config.toml or /etc/cavaridge/master.key (the key encrypts the OAuth signing keys;
# replacing it would orphan them).
set -eu

SCRIPT_DIR=$(cd "$(dirname "$0")" && pwd)
PREFIX=""
BINARY="$SCRIPT_DIR/dist/cavaridge"
EXAMPLE="$SCRIPT_DIR/config.example.toml"
CREATE_USER=1
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
usage: install.sh [--prefix DIR] [--binary PATH] [--config-example PATH] [--no-user] [--help]

Installs:
  $BIN_PATH                    the single executable (replaced on upgrade)
  $CONF_PATH              from config.example.toml, only if absent (mode 0640)
  $KEY_PATH               32 random bytes, base64, only if absent (mode 0600)
  $DATA_DIR/                   the embedded libSQL database (owned by the service user)
  $UNIT_PATH  hardened systemd unit (replaced on upgrade)
and a '$SERVICE_USER' system user (root only).

Options:
  --prefix DIR            install under DIR instead of / (for packaging and tests; no systemctl is run).
                          Paths written into the config and the unit stay the real ones (/etc/..., /var/lib/...).
  --binary PATH           the executable to install (default: $SCRIPT_DIR/dist/cavaridge, made by 'npm run build')
  --config-example PATH   the config template (default: $SCRIPT_DIR/config.example.toml)
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
    --config-example) [ $# -ge 2 ] || die "--config-example needs a path"; EXAMPLE=$2; shift 2 ;;
    --config-example=*) EXAMPLE=${1#--config-example=}; shift ;;
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
[ -f "$EXAMPLE" ] || die "config template not found: $EXAMPLE"

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

# --- binary ------------------------------------------------------------------------------------------------
mkdir -p "$PREFIX/usr/local/bin"
if [ -f "$PREFIX$BIN_PATH" ] && cmp -s "$BINARY" "$PREFIX$BIN_PATH"; then
  note "binary unchanged: $PREFIX$BIN_PATH"
  BINARY_CHANGED=0
else
  write_atomically "$PREFIX$BIN_PATH" 0755 <"$BINARY"
  note "installed $PREFIX$BIN_PATH"
  BINARY_CHANGED=1
fi

# --- data directory ----------------------------------------------------------------------------------------
mkdir -p "$PREFIX$DATA_DIR"
chmod 0750 "$PREFIX$DATA_DIR"
if [ "$HAVE_USER" = 1 ]; then chown "$SERVICE_USER:$SERVICE_USER" "$PREFIX$DATA_DIR"; fi

# --- config (never overwritten) ----------------------------------------------------------------------------
mkdir -p "$PREFIX$CONF_DIR"
chmod 0755 "$PREFIX$CONF_DIR"
if [ -e "$PREFIX$CONF_PATH" ]; then
  note "keeping existing $PREFIX$CONF_PATH"
else
  # The template's paths are relative to a checkout (./data/...); point them at the installed locations.
  # Only [database].url and [secrets].master_key_file are touched; everything else is copied verbatim.
  awk -v db="$DB_URL" -v key="$KEY_PATH" '
    /^[[:space:]]*\[/ { section = $0; gsub(/[[:space:]\[\]]/, "", section) }
    section == "database" && /^[[:space:]]*url[[:space:]]*=/ { print "url = \"" db "\""; next }
    section == "secrets" && /^[[:space:]]*master_key_file[[:space:]]*=/ { print "master_key_file = \"" key "\""; next }
    { print }
  ' "$EXAMPLE" | write_atomically "$PREFIX$CONF_PATH" 0640
  grep -q "^url = \"$DB_URL\"\$" "$PREFIX$CONF_PATH" || die "could not set [database] url in $PREFIX$CONF_PATH (template changed?)"
  grep -q "^master_key_file = \"$KEY_PATH\"\$" "$PREFIX$CONF_PATH" || die "could not set [secrets] master_key_file in $PREFIX$CONF_PATH (template changed?)"
  note "created $PREFIX$CONF_PATH (demo tenants and users: replace them before exposing the appliance)"
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
  systemctl enable cavaridge.service >/dev/null 2>&1 || note "could not enable cavaridge.service"
  if systemctl is-active --quiet cavaridge.service; then
    if [ "$BINARY_CHANGED" = 1 ] || [ "$UNIT_CHANGED" = 1 ]; then
      systemctl restart cavaridge.service && note "restarted cavaridge.service"
    fi
  else
    note "next: edit $CONF_PATH (cavaridge config check), then: systemctl start cavaridge"
  fi
elif [ -z "$PREFIX" ]; then
  note "systemd not detected: start it with '$BIN_PATH serve --config $CONF_PATH' as '$SERVICE_USER'"
fi

if [ -z "$PREFIX" ] && [ -x "$BIN_PATH" ]; then
  "$BIN_PATH" config check --config "$CONF_PATH" || note "the config above has problems: fix them before starting"
fi
note "done"
