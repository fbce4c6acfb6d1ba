#!/usr/bin/env bash
# Rolling update: restarts the instances of a service one at a time behind the gateway, so that requests keep
# being served throughout (the runbook's "逐个更新服务实例"). For each instance, in order:
#   1. runs the stop command — the instance drains: it finishes the requests it has, new ones go to the others;
#   2. waits until its port no longer answers;
#   3. runs the start command (the new version);
#   4. waits until its /ready answers 200;
#   5. with --gateway, waits until the gateway reports it healthy again (pingora_upstream_health = 1),
#      so the next instance only stops once this one takes traffic.
# Any step failing or timing out stops the update with a non-zero exit and leaves the other instances alone.
#
#   scripts/rolling-update.sh --instance oauth-1=127.0.0.1:3001 --instance oauth-2=127.0.0.1:3011 \
#     --stop 'systemctl stop oauth-service@{name}' --start 'systemctl start oauth-service@{name}' \
#     --gateway http://127.0.0.1:8080
#   docker compose: --stop 'docker compose stop {name}' --start 'docker compose up -d --no-deps {name}'
#
# {name}, {host} and {port} in the commands are replaced per instance. The gateway's /metrics must be readable
# from where this runs (its allowlist). Options: --timeout SECONDS per wait (default 60).
set -euo pipefail

die() { printf 'rolling-update: %s\n' "$*" >&2; exit 1; }
say() { printf 'rolling-update: %s\n' "$*"; }

instances=()
stop_cmd="" start_cmd="" gateway="" timeout=60
while [ $# -gt 0 ]; do
  case "$1" in
    --instance) [ $# -ge 2 ] || die "--instance needs NAME=HOST:PORT"; instances+=("$2"); shift 2 ;;
    --stop) [ $# -ge 2 ] || die "--stop needs a command"; stop_cmd="$2"; shift 2 ;;
    --start) [ $# -ge 2 ] || die "--start needs a command"; start_cmd="$2"; shift 2 ;;
    --gateway) [ $# -ge 2 ] || die "--gateway needs a URL"; gateway="${2%/}"; shift 2 ;;
    --timeout) [ $# -ge 2 ] || die "--timeout needs seconds"; timeout="$2"; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
[ ${#instances[@]} -gt 0 ] || die "no --instance given"
[ -n "$stop_cmd" ] || die "no --stop command given"
[ -n "$start_cmd" ] || die "no --start command given"
[[ "$timeout" =~ ^[1-9][0-9]*$ ]] || die "--timeout must be a positive number of seconds"
for spec in "${instances[@]}"; do
  [[ "$spec" =~ ^[A-Za-z0-9_.@-]+=[A-Za-z0-9_.-]+:[0-9]+$ ]] || die "--instance must be NAME=HOST:PORT, not '$spec'"
done
[ ${#instances[@]} -gt 1 ] || say "warning: one instance only — requests fail while it restarts"

# until SECONDS CHECK... : runs CHECK every 0.2 s until it succeeds or SECONDS pass.
until_ok() {
  local seconds="$1"; shift
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}
answers() { curl -s -o /dev/null --max-time 1 "http://$1/health"; }
not_answering() { ! answers "$1"; }
ready() { [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://$1/ready")" = 200 ]; }
healthy_at_gateway() {
  curl -s --max-time 2 "$gateway/metrics" |
    grep -E "^pingora_upstream_health\{[^}]*server=\"$1\"[^}]*\} 1$" >/dev/null
}
expand() { local cmd="$1"; cmd="${cmd//\{name\}/$2}"; cmd="${cmd//\{host\}/$3}"; printf '%s' "${cmd//\{port\}/$4}"; }

if [ -n "$gateway" ]; then
  for spec in "${instances[@]}"; do
    address="${spec#*=}"
    healthy_at_gateway "$address" || die "the gateway does not report ${spec%%=*} ($address) healthy before the update; not starting"
  done
fi

for spec in "${instances[@]}"; do
  name="${spec%%=*}" address="${spec#*=}"
  host="${address%:*}" port="${address##*:}"
  say "$name ($address): stopping"
  bash -c "$(expand "$stop_cmd" "$name" "$host" "$port")" || die "$name: the stop command failed"
  until_ok "$timeout" not_answering "$address" || die "$name: still answering ${timeout}s after the stop command"
  say "$name: starting"
  bash -c "$(expand "$start_cmd" "$name" "$host" "$port")" || die "$name: the start command failed"
  until_ok "$timeout" ready "$address" || die "$name: /ready did not answer 200 within ${timeout}s"
  if [ -n "$gateway" ]; then
    until_ok "$timeout" healthy_at_gateway "$address" ||
      die "$name: the gateway did not report it healthy within ${timeout}s"
  fi
  say "$name: back and taking traffic"
done
say "done: ${#instances[@]} instance(s) restarted one at a time"
