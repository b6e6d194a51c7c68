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

cat >"$out/curl-login.sh" <<'CURL'
#!/usr/bin/env bash
# The headless login in curl: PKCE with openssl, authorize (no redirect
# following), code from Location, token exchange.
set -euo pipefail
verifier=$(openssl rand -base64 48 | tr -d '\n=' | tr '+/' '-_' | cut -c1-64)
challenge=$(printf %s "$verifier" | openssl dgst -sha256 -binary | openssl base64 -A | tr -d '=' | tr '+/' '-_')
state=$(openssl rand -hex 16)
redirect="$SITE/services/oauth2/echo"
loc=$(curl -sS --cacert "$CA" -o /dev/null -w '%{redirect_url}' -X POST "$SITE/services/oauth2/authorize" \
  -H 'Auth-Request-Type: Named-User' -u "$USERNAME_:$SFECHO_PASSWORD" \
  --data-urlencode response_type=code_credentials --data-urlencode "client_id=$CLIENT_ID" \
  --data-urlencode "redirect_uri=$redirect" --data-urlencode "state=$state" \
  --data-urlencode "code_challenge=$challenge")
code=$(printf %s "$loc" | sed -n 's/.*[?&]code=\([^&]*\).*/\1/p' | sed 's/%3D/=/g; s/%2B/+/g; s/%2F/\//g')
[ "$(printf %s "$loc" | sed -n 's/.*[?&]state=\([^&]*\).*/\1/p')" = "$state" ] || { echo "state mismatch" >&2; exit 7; }
curl -sS --cacert "$CA" -X POST "$SITE/services/oauth2/token" \
  --data-urlencode grant_type=authorization_code --data-urlencode "code=$code" \
  --data-urlencode "client_id=$CLIENT_ID" --data-urlencode "redirect_uri=$redirect" \
  --data-urlencode "code_verifier=$verifier" | grep -q access_token
CURL
chmod +x "$out/curl-login.sh"

sfecho_cmd="$out/sfecho login --site $SITE --client-id $CLIENT_ID --username $USERNAME_ --ca-file $CA --no-store -o token"
curl_cmd="$out/curl-login.sh"
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
