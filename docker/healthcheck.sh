#!/bin/sh
# HEALTHCHECK of the less-sync image: GET /livez on the port LISTEN_ADDR names. A wildcard bind
# (0.0.0.0, [::]) is probed on loopback. /livez, not /readyz: a database outage must not make every
# container "unhealthy" (and restarted by an orchestrator) at once; load balancers use /readyz.
set -eu

addr="${LISTEN_ADDR:-0.0.0.0:5379}"
port="${addr##*:}"
host="${addr%:*}"
case "$host" in
  0.0.0.0 | "") host=127.0.0.1 ;;
  "[::]") host="[::1]" ;;
esac
exec wget -q -T 4 -O /dev/null "http://$host:$port/livez"
