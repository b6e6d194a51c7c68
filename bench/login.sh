#!/usr/bin/env bash
# Times `sfecho login` against `sfecho sim --tls`, side by side with the same
# flow done by hand in curl (two curl calls; PKCE via openssl), N logins each.
#
#   bench/login.sh [N]        (default N=50; needs go, curl, openssl)
#
# Uses hyperfine when installed (apt install hyperfine), else a plain loop.
# Both sides start a process per request; sfecho does its two requests on
# one TLS connection, the curl script opens one connection per call.
set -euo pipefail
N=${1:-50}
cd "$(dirname "$0")/.."
out=bench/out; mkdir -p "$out"
go build -trimpath -o "$out/sfecho" ./cmd/sfecho

"$out/sfecho" sim --tls --addr 127.0.0.1:0 --cert-file "$out/sim.pem" >"$out/sim.env" 2>"$out/sim.log" &
sim_pid=$!
trap 'kill $sim_pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q '^password=' "$out/sim.env" 2>/dev/null && break; sleep 0.1; done
# shellcheck disable=SC1090
. <(grep -E '^(site|client_id|username|password)=' "$out/sim.env")
export SITE=$site CLIENT_ID=$client_id USERNAME_=$username SFECHO_PASSWORD=$password CA="$out/sim.pem"


sfecho_cmd="$out/sfecho login --site $SITE --client-id $CLIENT_ID --username $USERNAME_ --ca-file $CA --no-store -o token"
curl_cmd="bench/curl-login.sh"
$sfecho_cmd >/dev/null && $curl_cmd || { echo "a login failed; see $out/sim.log" >&2; exit 1; }

if command -v hyperfine >/dev/null; then
  hyperfine -N --warmup 3 --runs "$N" -n sfecho "$sfecho_cmd" -n curl "$curl_cmd" --export-markdown "$out/login.md"
  exit 0
fi
time_it() { # name cmd...
  local name=$1; shift
  local start end
  start=$(date +%s%N)
  for _ in $(seq "$N"); do "$@" >/dev/null; done
  end=$(date +%s%N)
  printf '%-8s %d logins, mean %.1f ms per login\n' "$name" "$N" "$(echo "($end - $start) / $N / 1000000" | bc -l)"
}
time_it sfecho $sfecho_cmd
time_it curl "$curl_cmd"
