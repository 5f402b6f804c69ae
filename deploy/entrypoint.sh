#!/bin/sh
# Starts one TicketPro process, named by the first argument or else by SERVICE.
# `exec` replaces this shell with node, so the SIGTERM that tini (PID 1) forwards reaches node
# itself and the graceful shutdown runs instead of the shell dying and node being killed.
set -eu

service="${1:-${SERVICE:-}}"
case "$service" in
  gateway | identity | catalog | ordering | ticketing | notifications | reporting) ;;
  *)
    echo "entrypoint: choose the process with SERVICE=gateway|identity|catalog|ordering|ticketing|notifications|reporting or as the command (got '$service')" >&2
    exit 64
    ;;
esac

# The health check reads SERVICE to know which port to ask.
export SERVICE="$service"
exec node --enable-source-maps "services/$service/dist/main.js"
