#!/usr/bin/env bash
# release-check.sh: build a snapshot release the way a real one is built and
# check what a user would get (issue 14). Not part of `go test ./...`.
#
#   1. `goreleaser check`, then `goreleaser release --snapshot --clean` in a
#      fresh clone of the committed HEAD (uncommitted changes are not
#      included: a release is built from a commit, and GoReleaser reads the
#      commit, its date and the remote from git);
#   2. checksums.txt verifies; every archive holds the binary, README.md,
#      LICENSE, four completion scripts and the man pages;
#   3. the Linux archive's binary runs: version (text and -o json, stamped
#      with this commit and its date), --help, and `demo` (a whole login
#      against the in-process simulated site; no network);
#   4. the binary is reproducible: a second clone at another path builds
#      the same bytes;
#   5. the .deb: `dpkg-deb --info/--contents`, installed into a scratch root
#      with dpkg --root (dpkg-deb -x if that fails), binary, completions and
#      man pages where Debian looks for them; the .rpm (when rpm is
#      installed) and the .apk listed and checked for the same files;
#   6. the man pages render (`man -l`, and `man -M` finds them by name);
#   7. the installed bash completion completes a subcommand, a flag value
#      and a profile name.
#
# Needs: go, git, tar, unzip, sha256sum, dpkg-deb, man (man-db), groff and
# bash-completion. As root with apt-get, missing Debian packages are
# installed (RELEASE_CHECK_INSTALL=0 to refuse); otherwise the script names
# them and stops.
#
# Environment:
#   GORELEASER   a goreleaser v2 binary to use (default: go install of the
#                pinned version below into the cache directory, once)
#   RELEASE_CHECK_CACHE  cache directory (default ${XDG_CACHE_HOME:-$HOME/.cache}/sfecho-release-check)
#   KEEP=1       keep the work directory (the dist/ of the snapshot)
set -euo pipefail

GORELEASER_VERSION=v2.15.1 # keep in step with .goreleaser.yaml's header
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${RELEASE_CHECK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sfecho-release-check}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/sfecho-release-check.XXXXXX")
STEP=0

say() { printf 'release-check: %s\n' "$*"; }
step() { STEP=$((STEP + 1)); printf '\n== %d. %s\n' "$STEP" "$*"; }
ok() { printf '   ok: %s\n' "$*"; }
fail() { printf 'release-check: FAIL: %s\n' "$*" >&2; exit 1; }
cleanup() {
	if [ "${KEEP:-0}" = 1 ]; then say "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# --- tools ---------------------------------------------------------------
need_pkgs=()
for pair in dpkg-deb:dpkg man:man-db groff:groff-base tar:tar unzip:unzip sha256sum:coreutils git:git; do
	command -v "${pair%%:*}" >/dev/null || need_pkgs+=("${pair#*:}")
done
[ -r /usr/share/bash-completion/bash_completion ] || need_pkgs+=(bash-completion)
# rpm only lists the .rpm; installed when the others are, skipped otherwise.
[ ${#need_pkgs[@]} -gt 0 ] && ! command -v rpm >/dev/null && need_pkgs+=(rpm)
if [ ${#need_pkgs[@]} -gt 0 ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null && [ "${RELEASE_CHECK_INSTALL:-1}" != 0 ]; then
		say "installing Debian packages: ${need_pkgs[*]}"
		apt-get update -qq >/dev/null
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
	else
		fail "missing tools; install the Debian packages: ${need_pkgs[*]}"
	fi
fi
command -v go >/dev/null || fail "go is not installed"

if [ -z "${GORELEASER:-}" ]; then
	GORELEASER=$CACHE/bin/goreleaser-$GORELEASER_VERSION
	if [ ! -x "$GORELEASER" ]; then
		say "building goreleaser $GORELEASER_VERSION once into $CACHE/bin (a few minutes)"
		mkdir -p "$CACHE/bin"
		GOBIN=$CACHE/bin go install "github.com/goreleaser/goreleaser/v2@$GORELEASER_VERSION"
		mv "$CACHE/bin/goreleaser" "$GORELEASER"
	fi
fi
"$GORELEASER" --version 2>/dev/null | grep -Eq "GitVersion: +v?${GORELEASER_VERSION#v}\$" ||
	say "note: $GORELEASER is not $GORELEASER_VERSION"

# --- 1. snapshot -----------------------------------------------------------
step "goreleaser check and release --snapshot (a clone of HEAD)"
head=$(git -C "$ROOT" rev-parse HEAD)
if [ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no)" ]; then
	say "note: the work tree has uncommitted changes; they are not in this check"
fi
git clone -q --no-hardlinks "$ROOT" "$WORK/src"
git -C "$WORK/src" checkout -q "$head"
cd "$WORK/src"
"$GORELEASER" check >"$WORK/check.log" 2>&1 || { cat "$WORK/check.log"; fail "goreleaser check"; }
ok "goreleaser check: $(grep -o '[0-9]* configuration file(s) validated' "$WORK/check.log")"
start=$(date +%s)
"$GORELEASER" release --snapshot --clean >"$WORK/release.log" 2>&1 || { tail -30 "$WORK/release.log"; fail "goreleaser release --snapshot"; }
ok "snapshot built in $(($(date +%s) - start))s"
dist=$WORK/src/dist
version=$(sed -n 's/.*"version":"\([^"]*\)".*/\1/p' "$dist/metadata.json")
commit_date=$(TZ=UTC git log -1 --format=%cd --date=format-local:%Y-%m-%dT%H:%M:%SZ "$head")
ok "version $version, commit $head, commit date $commit_date"
(cd "$dist" && ls -1 ./*.tar.gz ./*.zip ./*.deb ./*.rpm ./*.apk checksums.txt | sed 's|^\./|   |')

# --- 2. checksums and archive contents ------------------------------------
step "checksums.txt and archive contents"
(cd "$dist" && sha256sum --quiet -c checksums.txt) || fail "checksums.txt does not verify"
ok "checksums.txt: $(wc -l <"$dist/checksums.txt") files verify"
want_common="README.md LICENSE completions/sfecho.bash completions/_sfecho completions/sfecho.fish completions/sfecho.ps1 man/sfecho.1 man/sfecho-login.1 man/sfecho-token.1"
for os in linux darwin windows; do
	for arch in amd64 arm64; do
		if [ $os = windows ]; then
			a=$dist/sfecho_${version}_${os}_${arch}.zip bin=sfecho.exe
			list=$(unzip -Z1 "$a")
		else
			a=$dist/sfecho_${version}_${os}_${arch}.tar.gz bin=sfecho
			list=$(tar -tzf "$a")
		fi
		for f in $bin $want_common; do
			grep -qx "$f" <<<"$list" || fail "$(basename "$a") lacks $f"
		done
		ok "$(basename "$a"): $(wc -l <<<"$list") files, binary, README, LICENSE, 4 completions, $(grep -c '^man/.*\.1$' <<<"$list") man pages"
	done
done

# --- 3. the Linux archive's binary ---------------------------------------
step "run the Linux archive's binary"
host_arch=$(go env GOARCH)
mkdir -p "$WORK/archive"
tar -xzf "$dist/sfecho_${version}_linux_${host_arch}.tar.gz" -C "$WORK/archive"
sfecho=$WORK/archive/sfecho
"$sfecho" version
vjson=$("$sfecho" version -o json)
printf '%s\n' "$vjson" | sed 's/^/   /'
grep -q "\"version\": \"$version\"" <<<"$vjson" || fail "version -o json does not say $version"
grep -q "\"commit\": \"$head\"" <<<"$vjson" || fail "version -o json does not say commit $head"
grep -q "\"date\": \"$commit_date\"" <<<"$vjson" || fail "version -o json does not say date $commit_date"
ok "version, commit and build date stamped"
"$sfecho" --help | grep -q '^Exit codes:' || fail "--help lacks the exit codes"
ok "--help"
tok=$(HOME=$WORK/home SFECHO_CONFIG_DIR=$WORK/home/cfg "$sfecho" demo -o token 2>"$WORK/demo.err") || { cat "$WORK/demo.err"; fail "demo"; }
[ -n "$tok" ] || fail "demo printed no token"
ok "demo: a whole login against the in-process simulated site printed a ${#tok}-character token"
file "$sfecho" 2>/dev/null | sed 's/^/   /' || true
go version -m "$sfecho" | grep -E '^\s+build\s+(-trimpath|CGO_ENABLED)' | sed 's/^\s*/   /' || true

# --- 4. reproducible ---------------------------------------------------------
step "reproducible binary: a second clone at another path"
git clone -q --no-hardlinks "$ROOT" "$WORK/again/elsewhere"
git -C "$WORK/again/elsewhere" checkout -q "$head"
(cd "$WORK/again/elsewhere" && GOOS=linux GOARCH=$host_arch "$GORELEASER" build --snapshot --clean --single-target --id sfecho \
	-o "$WORK/again/sfecho" >"$WORK/rebuild.log" 2>&1) || { tail -20 "$WORK/rebuild.log"; fail "second build"; }
first=$(sha256sum <"$sfecho" | cut -d' ' -f1)
second=$(sha256sum <"$WORK/again/sfecho" | cut -d' ' -f1)
[ "$first" = "$second" ] || fail "the second build differs: $first vs $second"
ok "both builds: sha256 $first"
tar_mtimes=$(tar -tvzf "$dist/sfecho_${version}_linux_${host_arch}.tar.gz" | awk '{print $4" "$5}' | sort -u)
ok "archive file times: $(tr '\n' ' ' <<<"$tar_mtimes")(commit: $commit_date)"

# --- 5. the .deb ---------------------------------------------------------------
step "the .deb: info, contents, install into a scratch root"
deb=$(ls "$dist"/sfecho_*_"$host_arch".deb)
dpkg-deb --info "$deb" | sed 's/^/   /'
dpkg-deb --contents "$deb" >"$WORK/deb.contents"
for p in ./usr/bin/sfecho ./usr/share/bash-completion/completions/sfecho ./usr/share/zsh/site-functions/_sfecho \
	./usr/share/fish/vendor_completions.d/sfecho.fish ./usr/share/man/man1/sfecho.1.gz \
	./usr/share/man/man1/sfecho-login.1.gz ./usr/share/doc/sfecho/copyright; do
	grep -q " $p\$" "$WORK/deb.contents" || fail ".deb lacks $p"
done
grep -v '/$' "$WORK/deb.contents" | grep -v '/man1/sfecho-' | sed 's/^/   /'
ok ".deb holds the binary, 3 completions, $(grep -c '/man1/.*\.1\.gz$' "$WORK/deb.contents") man pages, copyright"
droot=$WORK/root
mkdir -p "$droot/var/lib/dpkg/info" "$droot/var/lib/dpkg/updates"
: >"$droot/var/lib/dpkg/status"
if dpkg --root="$droot" --force-not-root --force-script-chrootless --log=/dev/null -i "$deb" >"$WORK/dpkg.log" 2>&1; then
	dpkg --root="$droot" -s sfecho | grep -E '^(Status|Version):' | sed 's/^/   /'
	ok "installed with dpkg --root $droot"
else
	sed 's/^/   dpkg: /' "$WORK/dpkg.log"
	dpkg-deb -x "$deb" "$droot"
	ok "dpkg --root refused; unpacked with dpkg-deb -x into $droot"
fi
"$droot/usr/bin/sfecho" version | sed 's/^/   installed: /'
pkg_paths="/usr/bin/sfecho /usr/share/bash-completion/completions/sfecho /usr/share/zsh/site-functions/_sfecho
/usr/share/fish/vendor_completions.d/sfecho.fish /usr/share/man/man1/sfecho.1.gz /usr/share/licenses/sfecho/LICENSE"
rpm_arch=$(case $host_arch in amd64) echo x86_64 ;; arm64) echo aarch64 ;; esac)
if command -v rpm >/dev/null; then
	rpm -qlp "$(ls "$dist"/sfecho-*."$rpm_arch".rpm)" 2>/dev/null >"$WORK/rpm.contents"
	for p in $pkg_paths; do grep -qx "$p" "$WORK/rpm.contents" || fail ".rpm lacks $p"; done
	ok ".rpm (rpm -qlp): binary, 3 completions, $(grep -c '/man1/.*\.1\.gz$' "$WORK/rpm.contents") man pages, license"
else
	say "rpm not installed: the .rpm is not listed (apt-get install rpm to list it)"
fi
tar -tzif "$(ls "$dist"/sfecho_*_"$rpm_arch".apk)" 2>/dev/null | sed 's|^|/|' >"$WORK/apk.contents"
for p in $pkg_paths; do grep -qx "$p" "$WORK/apk.contents" || fail ".apk lacks $p"; done
ok ".apk (tar): binary, 3 completions, $(grep -c '/man1/.*\.1\.gz$' "$WORK/apk.contents") man pages, license"

# --- 6. man pages ---------------------------------------------------------------
step "man pages render"
man -l "$droot/usr/share/man/man1/sfecho.1.gz" 2>/dev/null >"$WORK/man.txt"
head -12 "$WORK/man.txt" | sed 's/^/   /'
grep -q 'NAME' "$WORK/man.txt" && grep -q 'sfecho' "$WORK/man.txt" || fail "man -l sfecho.1.gz rendered no NAME section"
man -M "$droot/usr/share/man" sfecho-token 2>/dev/null | grep -q 'sfecho-token' || fail "man -M does not find sfecho-token"
ok "man -l renders sfecho(1); man -M finds sfecho-token(1) by name; $(ls "$droot"/usr/share/man/man1 | wc -l) pages"

# --- 7. bash completion -------------------------------------------------------
step "bash completion from the installed package"
cfg=$WORK/home/cfg
SFECHO_CONFIG_DIR=$cfg "$droot/usr/bin/sfecho" profile set ci site https://acme.my.site.com/shop
SFECHO_CONFIG_DIR=$cfg "$droot/usr/bin/sfecho" profile set staging site https://staging.my.site.com
complete_line() { # words... (the last one is being completed)
	PATH=$droot/usr/bin:$PATH SFECHO_CONFIG_DIR=$cfg bash --norc --noprofile -c '
		source /usr/share/bash-completion/bash_completion
		source "$0"
		compopt() { :; } # a builtin that works only inside a real completion
		COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}
		__start_sfecho
		printf "%s\n" "${COMPREPLY[@]}"' "$droot/usr/share/bash-completion/completions/sfecho" "$@"
}
got=$(complete_line sfecho to)
printf '   sfecho to<TAB>              -> %s\n' "$(tr '\n' ' ' <<<"$got")"
grep -qx 'token' <<<"$got" || fail "'sfecho to<TAB>' did not complete token"
got=$(complete_line sfecho profile)
grep -qx 'profile' <<<"$got" || fail "'sfecho profile<TAB>' did not complete profile"
got=$(complete_line sfecho login --capture "")
printf '   sfecho login --capture <TAB> -> %s\n' "$(tr '\n' ' ' <<<"$got")"
grep -qx 'echo' <<<"$got" || fail "'sfecho login --capture <TAB>' did not offer echo"
got=$(complete_line sfecho token --profile "")
printf '   sfecho token --profile <TAB> -> %s\n' "$(tr '\n' ' ' <<<"$got")"
grep -qx 'ci' <<<"$got" && grep -qx 'staging' <<<"$got" || fail "'sfecho token --profile <TAB>' did not offer the profiles"
got=$(complete_line sfecho profile show st)
printf '   sfecho profile show st<TAB> -> %s\n' "$(tr '\n' ' ' <<<"$got")"
grep -qx 'staging' <<<"$got" || fail "'sfecho profile show st<TAB>' did not complete staging"
ok "subcommand, flag value and profile names complete"

printf '\nrelease-check: PASS (%s, commit %s)\n' "$version" "${head:0:12}"
