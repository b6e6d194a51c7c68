#!/usr/bin/env bash
# bench/run.sh: reproduces every figure of bench/README.md in one command.
#
#   bench/run.sh [LOGINS] [CALLS]     (defaults 50 and 200; needs go, bash 5,
#                                      curl, openssl, GNU time at /usr/bin/time)
#
# 1. the machine (CPUs, CPU model, memory, kernel, Go);
# 2. binary size as released: sfecho built with .goreleaser.yaml's flags
#    (CGO_ENABLED=0, -trimpath, -ldflags "-s -w -buildid="), its gzip size,
#    and the same build unstripped; the minimal Go client, for contrast;
# 3. requests and TCP connections per login: sfecho login, the curl script
#    (bench/curl-login.sh) and the minimal Go client (bench/goclient), each
#    pointed at a counting TCP proxy (bench/connproxy) in front of
#    `sfecho sim --tls`; requests are counted from the simulator's log;
# 4. wall time and peak memory per login, LOGINS logins each, one process
#    per login as in a script, all three against the same simulator over
#    TLS (no proxy);
# 5. `sfecho token` on a valid saved session and `sfecho version`: wall
#    time, peak memory, and requests at the site, CALLS calls each.
#
# Wall time is measured in bash ($EPOCHREALTIME around each call, no extra
# process); peak memory is GNU time's maximum resident set size (for the
# curl script: the largest of bash, curl and openssl), in a separate loop.
# Everything runs on loopback; nothing of yours is read or written (HOME and
# SFECHO_CONFIG_DIR point into a temporary directory). The results are
# printed as Markdown and written to bench/out/results.md.
set -euo pipefail
LOGINS=${1:-50}
CALLS=${2:-200}
cd "$(dirname "$0")/.."
out=$PWD/bench/out
mkdir -p "$out"
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT
export HOME=$tmp/home SFECHO_CONFIG_DIR=$tmp/home/sfecho
mkdir -p "$HOME"
unset SFECHO_PROFILE SFECHO_STORE SFECHO_MIN_VALID SFECHO_SESSION_LIFETIME SFECHO_DEBUG SFECHO_CA_FILE
[ -x /usr/bin/time ] || { echo "bench/run.sh: needs GNU time at /usr/bin/time (apt-get install time)" >&2; exit 1; }
for t in curl openssl; do command -v $t >/dev/null || { echo "bench/run.sh: needs $t" >&2; exit 1; }; done

res=$out/results.md
: >"$res"
say() { printf '%s\n' "$*" | tee -a "$res"; }

# --- 1. machine ----------------------------------------------------------------
say "## Machine"
say ""
say "- date: $(date -u +%Y-%m-%dT%H:%MZ); commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
say "- CPUs: $(nproc) ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1))"
say "- memory: $(free -h | awk '/^Mem:/ {print $2}'); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
say "- kernel: $(uname -sr); $(go version | cut -d' ' -f3-4); $(curl --version | head -1 | cut -d' ' -f1-2); $(openssl version | cut -d' ' -f1-2)"
say ""

# --- 2. build and binary size -------------------------------------------------------
export CGO_ENABLED=0
release_flags=(-trimpath -ldflags "-s -w -buildid=")
go build "${release_flags[@]}" -o "$out/sfecho" ./cmd/sfecho
go build -trimpath -o "$out/sfecho-unstripped" ./cmd/sfecho
go build "${release_flags[@]}" -o "$out/goclient" ./bench/goclient
go build "${release_flags[@]}" -o "$out/connproxy" ./bench/connproxy
sfecho=$out/sfecho
size() { stat -c %s "$1"; }
mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
gz=$(gzip -9 -c "$sfecho" | wc -c)
say "## Binary size ($(go env GOOS)/$(go env GOARCH))"
say ""
say "| binary | bytes | |"
say "|---|---:|---|"
say "| sfecho as released (stripped: -s -w, -trimpath) | $(size "$sfecho") | $(mib "$(size "$sfecho")") |"
say "| sfecho as released, gzip -9 | $gz | $(mib "$gz") |"
say "| sfecho unstripped (-trimpath) | $(size "$out/sfecho-unstripped") | $(mib "$(size "$out/sfecho-unstripped")") |"
say "| minimal Go client (bench/goclient), stripped | $(size "$out/goclient") | $(mib "$(size "$out/goclient")") |"
say ""

# --- the simulator ---------------------------------------------------------------
"$sfecho" sim --tls --addr 127.0.0.1:0 --cert-file "$tmp/sim.pem" >"$tmp/sim.env" 2>"$tmp/sim.log" &
pids+=($!)
for _ in $(seq 100); do grep -q '^password=' "$tmp/sim.env" 2>/dev/null && break; sleep 0.1; done
# shellcheck disable=SC1090
. <(grep -E '^(site|client_id|username|password)=' "$tmp/sim.env")
export CA=$tmp/sim.pem CLIENT_ID=$client_id USERNAME_=$username SFECHO_PASSWORD=$password
sim_site=$site
requests() { grep -cE 'sim: (GET|POST|PUT|DELETE) ' "$tmp/sim.log" || true; }

sfecho_login() { "$sfecho" login --site "$SITE" --client-id "$CLIENT_ID" --username "$USERNAME_" --ca-file "$CA" --no-store -o token; }
curl_login() { bench/curl-login.sh; }
go_login() { "$out/goclient"; }

# --- 3. requests and connections per login ----------------------------------------
"$out/connproxy" "${sim_site#https://}" >"$tmp/proxy.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do grep -q '^addr=' "$tmp/proxy.log" 2>/dev/null && break; sleep 0.1; done
proxy_site=https://$(sed -n 's/^addr=//p' "$tmp/proxy.log")
say "## Requests and connections per login"
say ""
say "One login = one process; 5 logins each through a counting TCP proxy in front of \`sfecho sim --tls\`."
say ""
say "| client | requests per login | TCP (and TLS) connections per login |"
say "|---|---:|---:|"
for c in sfecho curl go; do
	r0=$(requests) c0=$(grep -c '^conn' "$tmp/proxy.log" || true)
	for _ in 1 2 3 4 5; do SITE=$proxy_site "${c}_login" >/dev/null; done
	sleep 0.2 # let the proxy log the last accept
	r1=$(requests) c1=$(grep -c '^conn' "$tmp/proxy.log" || true)
	say "| $c | $(awk -v a="$r0" -v b="$r1" 'BEGIN { print (b - a) / 5 }') | $(awk -v a="$c0" -v b="$c1" 'BEGIN { print (b - a) / 5 }') |"
done
say ""

# --- timing helpers ---------------------------------------------------------------
# wall N cmd...: runs cmd N times, prints "median mean min p90" in ms.
wall() {
	local n=$1 i s e
	shift
	for ((i = 0; i < n; i++)); do
		s=$EPOCHREALTIME
		"$@" >/dev/null
		e=$EPOCHREALTIME
		echo "$s $e"
	done | awk '{ print ($2 - $1) * 1000 }' | sort -n | awk '
		{ v[NR] = $1; sum += $1 }
		END { printf "%.1f %.1f %.1f %.1f", v[int((NR + 1) / 2)], sum / NR, v[1], v[int(NR * 0.9 + 0.5)] }'
}
# rss N cmd...: runs cmd N times under GNU time, prints "median max" peak RSS in MiB.
rss() {
	local n=$1 i
	shift
	for ((i = 0; i < n; i++)); do
		/usr/bin/time -f '%M' -o "$tmp/rss" "$@" >/dev/null
		cat "$tmp/rss"
	done | sort -n | awk '{ v[NR] = $1 } END { printf "%.1f %.1f", v[int((NR + 1) / 2)] / 1024, v[NR] / 1024 }'
}
row() { # name N cmd...
	local name=$1 n=$2
	shift 2
	"$@" >/dev/null # warm-up: page cache, and a first introspection for token
	local r0 w m r1
	r0=$(requests)
	read -r med mean min p90 <<<"$(wall "$n" "$@")"
	r1=$(requests)
	read -r rmed rmax <<<"$(rss "$((n / 5 > 10 ? n / 5 : 10))" "$@")"
	say "| $name | $n | $med | $mean | $min | $p90 | $rmed | $rmax | $(awk -v a="$r0" -v b="$r1" -v n="$n" 'BEGIN { printf "%.2f", (b - a) / n }') |"
}
header() {
	say "| command | runs | median ms | mean ms | min ms | p90 ms | peak RSS MiB (median) | peak RSS MiB (max) | requests per run |"
	say "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
}

# --- 4. login: sfecho vs curl vs the minimal Go client --------------------------------
export SITE=$sim_site
say "## Login against \`sfecho sim --tls\`"
say ""
say "A new process per login; wall time over $LOGINS logins each; peak RSS over a fifth of that (at least 10)."
say ""
header
row "sfecho login --no-store -o token" "$LOGINS" "$sfecho" login --site "$SITE" --client-id "$CLIENT_ID" \
	--username "$USERNAME_" --ca-file "$CA" --no-store -o token
row "curl script (bench/curl-login.sh)" "$LOGINS" bench/curl-login.sh
row "minimal Go client (bench/goclient)" "$LOGINS" "$out/goclient"
say ""

# --- 5. token on a valid session, version -------------------------------------------
"$sfecho" login --site "$SITE" --client-id "$CLIENT_ID" --username "$USERNAME_" --ca-file "$CA" \
	--scope "api refresh_token" -o token >/dev/null
say "## \`sfecho token\` on a valid session, \`sfecho version\`"
say ""
header
row "sfecho version" "$CALLS" "$sfecho" version
row "sfecho token (valid session)" "$CALLS" "$sfecho" token --ca-file "$CA"
row "sfecho token -o json (valid session)" "$CALLS" "$sfecho" token --ca-file "$CA" -o json
say ""
say "(the token rows' warm-up call makes the one introspection that learns the new token's expiry; the timed calls make none)"
echo
echo "bench/run.sh: results in $res"
