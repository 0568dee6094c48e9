#!/bin/sh
# Container entrypoint of the less-sync image (BOOT-06).
#
#   docker run IMAGE                          migrate up (a failure stops here, with its exit code), then exec the server
#   docker run IMAGE server                   the same
#   docker run IMAGE --help | --version       the server's own flags (also `server --help`): exec'd, no migration
#   docker run IMAGE migrate status           the migrate CLI with those arguments (up, down [N], status, version,
#                                             create, help)
#   docker run IMAGE federation-keygen ...    the key generation CLI with those arguments
#   docker run IMAGE <anything else>          exec'd as is, e.g. `docker run -it IMAGE sh`
#
# The server is exec'd, so it is PID 1 and receives SIGTERM/SIGINT itself (graceful shutdown, R24). Nothing is
# left behind that a restart would have to clean up: the embedded database's lock is released by the kernel
# when its process dies.
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
      # `server --help` and the like: the flags go to the server, which needs no database for them.
      if [ "$#" -gt 0 ]; then exec "$node_bin" "$server_js" "$@"; fi
      ;;
    -*)
      exec "$node_bin" "$server_js" "$@"
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

exec "$node_bin" "$server_js"
