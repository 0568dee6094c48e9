#!/bin/sh
# Container entrypoint of the less-sync image (BOOT-06).
#
#   docker run IMAGE                   migrate up (a failure stops here, with its exit code), then exec the server
#   docker run IMAGE server            the same
#   docker run IMAGE migrate status    runs the migrate CLI with those arguments instead (up, down [N], status,
#                                      version, help; see `migrate help`)
#   docker run IMAGE federation-keygen --domain example.com
#                                      runs the key tool with those arguments (see `federation-keygen --help`)
#   docker run IMAGE <anything else>   exec'd as is, e.g. `docker run -it IMAGE sh`
#
# The server is exec'd, so it is PID 1 and receives SIGTERM/SIGINT itself (graceful shutdown, R24).
# Signing keys are made only by an operator running federation-keygen once (B2, R25): the reference ran it
# here on every start, creating and promoting a new key each time. With FEDERATION_DOMAIN set, the server
# refuses to start without a signing key and names the command to run.
#
# LESS_SYNC_APP_DIR (default /app) and LESS_SYNC_NODE (default node) exist for tests and unusual layouts.
set -eu

app_dir="${LESS_SYNC_APP_DIR:-/app}"
node_bin="${LESS_SYNC_NODE:-node}"
migrate_js="$app_dir/apps/migrate/dist/main.js"
server_js="$app_dir/apps/server/dist/main.js"
keygen_js="$app_dir/apps/federation-keygen/dist/main.js"

log() {
  printf 'entrypoint: %s\n' "$*" >&2
}

if [ "$#" -gt 0 ]; then
  case "$1" in
    server)
      shift
      ;;
    migrate)
      shift
      exec "$node_bin" "$migrate_js" "$@"
      ;;
    federation-keygen)
      shift
      exec "$node_bin" "$keygen_js" "$@"
      ;;
    *)
      exec "$@"
      ;;
  esac
fi

status=0
"$node_bin" "$migrate_js" up || status=$?
if [ "$status" -ne 0 ]; then
  log "migrate up failed (exit code $status); not starting the server"
  exit "$status"
fi

exec "$node_bin" "$server_js" "$@"
