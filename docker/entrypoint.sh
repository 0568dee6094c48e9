#!/bin/sh
# Container entrypoint of the less-sync image (BOOT-06).
#
#   docker run IMAGE                   migrate up (a failure stops here, with its exit code), then exec the server
#   docker run IMAGE server            the same
#   docker run IMAGE migrate status    runs the migrate CLI with those arguments instead (up, down [N], status,
#                                      version, help; see `migrate help`)
#   docker run IMAGE <anything else>   exec'd as is, e.g. `docker run -it IMAGE sh`
#
# The server is exec'd, so it is PID 1 and receives SIGTERM/SIGINT itself (graceful shutdown, R24).
# FEDERATION_DOMAIN: the reference runs federation-keygen here on every start, which rotates the signing key
# each time. This version has no key generation yet; nothing is ever generated or rotated implicitly (R25).
#
# LESS_SYNC_APP_DIR (default /app) and LESS_SYNC_NODE (default node) exist for tests and unusual layouts.
set -eu

app_dir="${LESS_SYNC_APP_DIR:-/app}"
node_bin="${LESS_SYNC_NODE:-node}"
migrate_js="$app_dir/apps/migrate/dist/main.js"
server_js="$app_dir/apps/server/dist/main.js"

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

if [ -n "${FEDERATION_DOMAIN:-}" ]; then
  log "FEDERATION_DOMAIN=$FEDERATION_DOMAIN is set, but federation key generation is not available in this" \
    "version of less-sync; continuing without it (signing keys are never generated or rotated implicitly)"
fi

exec "$node_bin" "$server_js" "$@"
