# Shared settings for ops/devnet/up and ops/devnet/down (sourced, not executed).
# Every port and knob can be overridden from the environment.

DEVNET_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$DEVNET_DIR/../.." && pwd)"
RUN_DIR="${DEVNET_RUN_DIR:-$DEVNET_DIR/run}"
JWT_FILE="${DEVNET_JWT_FILE:-$DEVNET_DIR/jwt.hex}"
EJS_CLI="$DEVNET_DIR/node_modules/@ethereumjs/client/dist/esm/bin/cli.js"
JAR="$REPO_DIR/target/rollup-boost.jar"

# L2 execution client (the sequencer's own EL, "default EL")
L2_ENGINE_PORT="${L2_ENGINE_PORT:-28551}"
L2_RPC_PORT="${L2_RPC_PORT:-28545}"
L2_P2P_PORT="${L2_P2P_PORT:-30392}"
# builder execution client
BUILDER_ENGINE_PORT="${BUILDER_ENGINE_PORT:-18551}"
BUILDER_RPC_PORT="${BUILDER_RPC_PORT:-18545}"
BUILDER_P2P_PORT="${BUILDER_P2P_PORT:-30391}"
# forge-proxy in front of the builder's engine port (the service talks to this one)
FORGE_PROXY="${FORGE_PROXY:-1}"
PROXY_PORT="${PROXY_PORT:-18552}"
# the service (names are the service's own env vars from config.yml)
export RPC_PORT="${RPC_PORT:-8081}"
export ADMIN_PORT="${ADMIN_PORT:-8082}"
export PROBE_INTERVAL="${PROBE_INTERVAL:-500ms}"
export EXECUTION_MODE="${EXECUTION_MODE:-enabled}"
export BUILDER_TIMEOUT="${BUILDER_TIMEOUT:-2s}"
export BUILDER_PAYLOAD_DEADLINE="${BUILDER_PAYLOAD_DEADLINE:-2s}"
export L2_TIMEOUT="${L2_TIMEOUT:-3s}"
SERVICE_JAVA_OPTS="${SERVICE_JAVA_OPTS:--Xms64m -Xmx256m -XX:+ExitOnOutOfMemoryError -Ddw.probe.timeout=1s}"
# follower (replays L2's canonical chain into the builder)
FOLLOWER="${FOLLOWER:-1}"
# genesis timestamp written into run/genesis.json when L2 starts: "now" keeps head age
# below probe.maxUnsafeInterval right after start (so /healthz is 200 before any block);
# 0 gives the exact genesis of peers.md (hash 0x6591a766...).
GENESIS_TIMESTAMP="${GENESIS_TIMESTAMP:-now}"
EJS_LOG_LEVEL="${EJS_LOG_LEVEL:-info}"
# ethereumjs --sync: "none" (default) behaves the same on the Engine API (ACCEPTED/SYNCING for
# unknown parents/heads, tx pool, block building) but stops in about 2 s instead of 8-10 s;
# "full" is exactly the setup peers.md tested.
EJS_SYNC="${EJS_SYNC:-none}"
# bounds (seconds)
START_TIMEOUT="${START_TIMEOUT:-60}"
HEALTH_TIMEOUT="${HEALTH_TIMEOUT:-30}"
STOP_TIMEOUT="${STOP_TIMEOUT:-15}"

ALL_COMPONENTS=(l2 builder proxy service follower)

log() { printf '[devnet %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

pid_file() { echo "$RUN_DIR/$1.pid"; }
log_file() { echo "$RUN_DIR/$1.log"; }

# A string that must appear in the command line of component $1 (guards against pid reuse).
marker() {
  case "$1" in
    l2) echo "$RUN_DIR/l2/data" ;;
    builder) echo "$RUN_DIR/builder/data" ;;
    proxy) echo "forge-proxy.mjs" ;;
    service) echo "$RUN_DIR/service.jar" ;;
    follower) echo "follower.mjs" ;;
  esac
}

# Ports a component listens on (used to wait for them to be free).
ports_of() {
  case "$1" in
    l2) echo "$L2_ENGINE_PORT $L2_RPC_PORT $L2_P2P_PORT" ;;
    builder) echo "$BUILDER_ENGINE_PORT $BUILDER_RPC_PORT $BUILDER_P2P_PORT" ;;
    proxy) [ "$FORGE_PROXY" = 1 ] && echo "$PROXY_PORT" ;;
    service) echo "$RPC_PORT $ADMIN_PORT" ;;
    follower) ;;
  esac
}

# Prints the pid of component $1 if it is running (and really is that component).
running_pid() {
  local f pid
  f="$(pid_file "$1")"
  [ -f "$f" ] || return 1
  pid="$(cat "$f" 2>/dev/null)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [ -r "/proc/$pid/cmdline" ] || return 1
  # zombie (already exited, not reaped) counts as gone
  [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$(marker "$1")" || return 1
  echo "$pid"
}

port_busy() { [ -n "$(ss -Hltnu "( sport = :$1 )" 2>/dev/null)" ]; }

busy_ports() {
  local p out=()
  for p in "$@"; do port_busy "$p" && out+=("$p"); done
  echo "${out[*]}"
}

jsonrpc() { # URL METHOD [PARAMS_JSON]
  curl -s -m 3 -X POST "$1" -H 'content-type: application/json' \
    -d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$2\",\"params\":${3:-[]}}"
}
