#!/usr/bin/env bash
# browser-check.sh: a real-browser check of `sfecho login --web` (issue 4,
# item 5). Not part of `go test ./...`, which stays Go-only.
#
# It builds sfecho, runs `sfecho sim` on loopback, and runs
# `sfecho login --web` with a fake `xdg-open` first on PATH. github.com/pkg/browser
# opens URLs on Linux by running the first of xdg-open, x-www-browser and
# www-browser it finds, so the fake one receives the authorize URL and starts
# a small Playwright (playwright-core) driver in the background. The driver
# opens the URL in Debian's headless Chromium, fills #username and #password on
# the simulator's login page, clicks #login, and waits for the local echo
# endpoint's "you can close this tab" page. The check passes when sfecho prints
# a token and the browser ended on that page.
#
# Needs: Go, Node.js with npm, and either Debian's chromium or root to install
# it (apt-get install -y chromium). playwright-core is installed with npm into
# a cache directory (it never downloads a browser of its own).
#
# Usage: scripts/browser-check.sh        (from anywhere in the repository)
# Environment:
#   CHROMIUM                  Chromium binary (default /usr/bin/chromium)
#   PLAYWRIGHT_CORE_VERSION   npm version of playwright-core (default 1.64.1)
#   BROWSER_CHECK_CACHE       where playwright-core is installed
#                             (default ${XDG_CACHE_HOME:-$HOME/.cache}/sfecho-browser-check)
#   LOGIN_TIMEOUT             sfecho --login-timeout (default 90s)
#   KEEP=1                    keep the work directory (logs, screenshot)
set -euo pipefail

CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
PW_VERSION=${PLAYWRIGHT_CORE_VERSION:-1.64.1}
CACHE=${BROWSER_CHECK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sfecho-browser-check}
LOGIN_TIMEOUT=${LOGIN_TIMEOUT:-90s}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/sfecho-browser-check.XXXXXX")
SIM_PID=""

say() { printf 'browser-check: %s\n' "$*" >&2; }
fail() { say "FAIL: $*"; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }

cleanup() {
	if [[ -n "$SIM_PID" ]]; then kill "$SIM_PID" 2>/dev/null || true; wait "$SIM_PID" 2>/dev/null || true; fi
	if [[ "${KEEP:-}" == 1 ]]; then say "work directory kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

install_chromium() {
	if [[ -x "$CHROMIUM" ]]; then
		say "chromium: $("$CHROMIUM" --version 2>/dev/null || echo present) (already installed)"
		return
	fi
	[[ "$(id -u)" == 0 ]] || fail "$CHROMIUM is missing; run as root to install it, or: sudo apt-get install -y chromium"
	local t0; t0=$(now)
	say "installing Debian's chromium (apt-get install -y chromium) ..."
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -q chromium >"$WORK/apt.log" 2>&1 ||
		{ apt-get update -q >>"$WORK/apt.log" 2>&1 && apt-get install -y -q chromium >>"$WORK/apt.log" 2>&1; } ||
		{ tail -20 "$WORK/apt.log" >&2; fail "apt-get install chromium failed"; }
	[[ -x "$CHROMIUM" ]] || fail "chromium installed but $CHROMIUM is not there; set CHROMIUM"
	say "chromium: $("$CHROMIUM" --version 2>/dev/null) installed in $(since "$t0")"
}

install_playwright() {
	command -v node >/dev/null && command -v npm >/dev/null || fail "node and npm are needed (Debian: apt-get install -y nodejs npm)"
	if [[ -f "$CACHE/node_modules/playwright-core/package.json" ]] &&
		grep -q "\"version\": \"$PW_VERSION\"" "$CACHE/node_modules/playwright-core/package.json"; then
		say "playwright-core $PW_VERSION: cached in $CACHE"
		return
	fi
	local t0; t0=$(now)
	mkdir -p "$CACHE"
	say "installing playwright-core@$PW_VERSION with npm into $CACHE ..."
	# playwright-core has no install script and never downloads a browser.
	[[ -f "$CACHE/package.json" ]] || echo '{"private":true}' >"$CACHE/package.json"
	(cd "$CACHE" && npm install --no-audit --no-fund --silent "playwright-core@$PW_VERSION") >"$WORK/npm.log" 2>&1 ||
		{ tail -20 "$WORK/npm.log" >&2; fail "npm install playwright-core failed"; }
	say "playwright-core $PW_VERSION installed in $(since "$t0")"
}

build_sfecho() {
	local t0; t0=$(now)
	(cd "$ROOT" && go build -o "$WORK/sfecho" ./cmd/sfecho) || fail "go build failed"
	say "built sfecho in $(since "$t0")"
}

# start_sim runs `sfecho sim` on a free loopback port over plain http. Its
# registered callback is the site's echo URL on 127.0.0.1, and it matches a
# loopback callback on any port with the same host name and path, so the
# local endpoint's default http://127.0.0.1:<port>/services/oauth2/echo is
# accepted, as an app with that loopback callback registered would be.
start_sim() {
	"$WORK/sfecho" sim --addr 127.0.0.1:0 >"$WORK/sim.out" 2>"$WORK/sim.err" &
	SIM_PID=$!
	for _ in $(seq 100); do
		grep -q '^password=' "$WORK/sim.out" 2>/dev/null && break
		kill -0 "$SIM_PID" 2>/dev/null || { cat "$WORK/sim.err" >&2; fail "sfecho sim exited"; }
		sleep 0.1
	done
	SITE=$(sed -n 's/^site=//p' "$WORK/sim.out")
	CLIENT_ID=$(sed -n 's/^client_id=//p' "$WORK/sim.out")
	SIM_USER=$(sed -n 's/^username=//p' "$WORK/sim.out")
	SIM_PASS=$(sed -n 's/^password=//p' "$WORK/sim.out")
	[[ -n "$SITE" && -n "$SIM_PASS" ]] || fail "sfecho sim printed no site"
	say "sfecho sim at $SITE (client id $CLIENT_ID, user $SIM_USER)"
}

# write_driver writes the Playwright driver and the fake xdg-open. The
# credentials reach the driver through the environment, never argv.
write_driver() {
	mkdir -p "$WORK/bin"
	cat >"$WORK/driver.cjs" <<'EOF'
// Drives the site's login page in headless Chromium (playwright-core).
const { chromium } = require(process.env.PW_MODULE);
const fs = require('fs');
const out = process.env.DRIVER_RESULT;
(async () => {
  const result = { ok: false };
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await (await browser.newContext()).newPage();
    await page.goto(process.argv[2], { waitUntil: 'load', timeout: 30000 });
    result.loginTitle = await page.title();
    await page.fill('#username', process.env.SIM_USER);
    await page.fill('#password', process.env.SIM_PASS);
    await Promise.all([page.waitForURL(/\/services\/oauth2\/echo\?/, { timeout: 30000 }), page.click('#login')]);
    await page.waitForLoadState('load');
    const u = new URL(page.url());
    result.callback = u.origin + u.pathname;  // no query: it holds the code
    result.finalTitle = await page.title();
    result.heading = (await page.textContent('h1')) || '';
    await page.screenshot({ path: process.env.DRIVER_SHOT });
    result.ok = /you can close this tab/.test(result.heading);
  } catch (e) {
    result.error = String(e && e.message || e).split('\n')[0];
  } finally {
    await browser.close();
    fs.writeFileSync(out, JSON.stringify(result) + '\n');
  }
})();
EOF
	cat >"$WORK/bin/xdg-open" <<EOF
#!/bin/sh
# Fake xdg-open: start the driver in the background and return at once, as
# the real one does (github.com/pkg/browser waits for it to exit).
echo "xdg-open: \$1" >>"$WORK/xdg-open.log"
nohup node "$WORK/driver.cjs" "\$1" >>"$WORK/driver.log" 2>&1 &
exit 0
EOF
	chmod +x "$WORK/bin/xdg-open"
}

run_login() {
	local t0; t0=$(now)
	say "running: sfecho login --web --site $SITE --client-id $CLIENT_ID --username $SIM_USER --no-store -o json --login-timeout $LOGIN_TIMEOUT"
	set +e
	env -u SSH_TTY -u DISPLAY PATH="$WORK/bin:$PATH" \
		PW_MODULE="$CACHE/node_modules/playwright-core" CHROMIUM="$CHROMIUM" \
		SIM_USER="$SIM_USER" SIM_PASS="$SIM_PASS" \
		DRIVER_RESULT="$WORK/driver.json" DRIVER_SHOT="$WORK/callback.png" \
		"$WORK/sfecho" login --web --site "$SITE" --client-id "$CLIENT_ID" --username "$SIM_USER" \
		--no-store -o json --login-timeout "$LOGIN_TIMEOUT" >"$WORK/login.out" 2>"$WORK/login.err"
	LOGIN_EXIT=$?
	set -e
	say "sfecho login --web exited $LOGIN_EXIT after $(since "$t0"); its stderr:"
	sed 's/^/    /' "$WORK/login.err" >&2
	for _ in $(seq 100); do [[ -s "$WORK/driver.json" ]] && break; sleep 0.1; done
}

check() {
	local token driver
	token=$(node -e 'const t = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
		if (!t.access_token) process.exit(1);
		console.log("token_type=" + t.token_type + " scope=\"" + t.scope + "\" access_token=" + t.access_token.slice(0, 5) + "...(" + t.access_token.length + " chars)");' \
		"$WORK/login.out" 2>/dev/null) || token=""
	driver=$(cat "$WORK/driver.json" 2>/dev/null || echo '{}')
	say "browser: $driver"
	[[ -s "$WORK/driver.log" ]] && { say "driver log:"; sed 's/^/    /' "$WORK/driver.log" >&2; }
	[[ "$LOGIN_EXIT" == 0 ]] || fail "sfecho login --web exited $LOGIN_EXIT"
	[[ -n "$token" ]] || fail "no access token on stdout"
	node -e 'process.exit(JSON.parse(process.argv[1]).ok ? 0 : 1)' "$driver" || fail "the browser did not end on the 'you can close this tab' page"
	say "token: $token"
	say "PASS: headless Chromium signed in through the simulator's login page; sfecho captured the code on its local endpoint and got a token"
}

T0=$(now)
install_chromium
install_playwright
build_sfecho
start_sim
write_driver
run_login
check
say "total $(since "$T0")"
