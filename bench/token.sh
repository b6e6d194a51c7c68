#!/usr/bin/env bash
# Measures `sfecho token` on a saved session, against `sfecho sim --tls`:
#   1. a valid session: wall time per call and requests at the site (target 0);
#   2. for contrast, a session that needs a refresh every call (--min-valid 3h,
#      longer than the simulated 2h session): introspection + refresh.
#
#   bench/token.sh [N]        (default N=200; needs go; hyperfine if installed)
#
# Each call is a new process, as in CI. The config directory is a fresh
# temporary one (HOME and XDG_CONFIG_HOME point there), so nothing of yours is
# read or written. Requests are counted from the simulator's request log.
set -euo pipefail
N=${1:-200}
cd "$(dirname "$0")/.."
out=bench/out; mkdir -p "$out"
go build -trimpath -o "$out/sfecho" ./cmd/sfecho
sfecho=$PWD/$out/sfecho

cfg=$(mktemp -d)
export HOME=$cfg XDG_CONFIG_HOME=$cfg
unset SFECHO_PROFILE SFECHO_STORE SFECHO_MIN_VALID SFECHO_SESSION_LIFETIME SFECHO_DEBUG

"$sfecho" sim --tls --addr 127.0.0.1:0 --rotate-refresh-tokens --cert-file "$out/token-sim.pem" \
  >"$out/token-sim.env" 2>"$out/token-sim.log" &
sim_pid=$!
trap 'kill $sim_pid 2>/dev/null || true; rm -rf "$cfg"' EXIT
for _ in $(seq 50); do grep -q '^password=' "$out/token-sim.env" 2>/dev/null && break; sleep 0.1; done
# shellcheck disable=SC1090
. <(grep -E '^(site|client_id|username|password)=' "$out/token-sim.env")
export SFECHO_PASSWORD=$password SFECHO_CA_FILE=$PWD/$out/token-sim.pem

"$sfecho" login --site "$site" --client-id "$client_id" --username "$username" -o token >/dev/null
requests() { grep -cE 'sim: (GET|POST|PUT|DELETE) ' "$out/token-sim.log" || true; }

measure() { # name N cmd...
  local name=$1 n=$2; shift 2
  local before after start end
  # The first call warms the page cache, and after a login or refresh it also
  # makes the one introspection that learns an opaque token's expiry (saved).
  "$@" >/dev/null
  before=$(requests)
  start=$(date +%s%N)
  for _ in $(seq "$n"); do "$@" >/dev/null; done
  end=$(date +%s%N)
  after=$(requests)
  printf '%-28s %5d calls  mean %6.2f ms/call  requests at the site: %d (%.2f per call)\n' "$name" "$n" \
    "$(echo "($end - $start) / $n / 1000000" | bc -l)" "$((after - before))" "$(echo "($after - $before) / $n" | bc -l)"
}

echo "$("$sfecho" version 2>/dev/null | head -1); $(nproc) CPUs; $(uname -sr)"
measure "version (process baseline)" "$N" "$sfecho" version
measure "token (valid session)" "$N" "$sfecho" token
measure "token -o json (valid)" "$N" "$sfecho" token -o json
measure "token (refresh each call)" "$((N / 4 > 0 ? N / 4 : 1))" "$sfecho" token --min-valid 3h
"$sfecho" token >/dev/null # the session is still good after all that
if command -v hyperfine >/dev/null; then
  hyperfine -N --warmup 5 --runs "$N" -n "sfecho version" "$sfecho version" \
    -n "sfecho token (valid session)" "$sfecho token" --export-markdown "$out/token.md"
fi
