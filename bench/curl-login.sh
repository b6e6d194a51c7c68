#!/usr/bin/env bash
# The headless login in curl, for bench/login.sh and bench/run.sh: PKCE with
# openssl, authorize (no redirect following), code from Location, token
# exchange. Reads SITE, CLIENT_ID, USERNAME_, SFECHO_PASSWORD and CA (the
# simulator's certificate). Each curl call opens its own TLS connection.
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
