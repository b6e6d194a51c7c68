package cli

import (
	"bufio"
	"context"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sfecho/sfecho/internal/sim"
	"github.com/sfecho/sfecho/internal/sim/simtest"
)

// TestREADMEExamples runs every shell example of the README, in order,
// against the simulated site, with the sfecho binary built from this tree,
// so that the README cannot drift from what sfecho does. The README's
// placeholders (https://acme.my.site.com/shop, 3MVG9..., $SITE, "...")
// stand for the simulator here. The few lines that need something the
// simulator cannot give (a real org's installer, a browser, a private app,
// a terminal) are named in readmeSkips with the reason. Each block runs as
// one bash script with errexit and pipefail: a failing line fails the test.
func TestREADMEExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "sfecho"), "../../cmd/sfecho")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	r := newReadmeRun(t, dir, bin)
	for _, blk := range readmeBlocks(t, "../../README.md") {
		script, ran := r.script(blk)
		if !ran {
			continue
		}
		r.ensureSession(t, bash)
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		// wait_for_code stands for "wait until the code arrives", as the README says.
		cmd := exec.CommandContext(ctx, bash, "-c", "wait_for_code() { echo "+readmeOTP+"; }; set -eo pipefail\ntrap 'echo \"README line $((LINENO+"+fmt.Sprint(blk.line-3)+")) failed ($?)\" >&2' ERR\n"+script)
		cmd.Dir, cmd.Env = r.work, r.env
		out, err := cmd.CombinedOutput()
		cancel()
		if err != nil {
			t.Errorf("README block at line %d: %v\nscript:\n%s\noutput:\n%s", blk.line, err, script, out)
		}
	}
}

// readmeSkips are the example lines the simulator cannot run, by a
// pattern of the line, with the reason.
var readmeSkips = []struct{ pattern, why string }{
	{`^(curl -fsSLO|v=|sha256sum|tar -xzf|sudo |go install|go build|go test|go run|\.ci/run)`, "installs or builds; the release check covers it"},
	{`--client-secret-file ~/`, "needs a private app's secret"},
	{`sfecho login --web`, "needs a browser"},
	{`^ssh `, "needs a remote server"},
	{`sfecho echo serve`, "a server that waits for a browser's redirect"},
	{`curl -s -o /dev/null -w`, "needs a real site's redirect"},
}

// readmeExits are the example lines that show a failure on purpose, by a
// pattern of the line, with the exit code they must end with.
var readmeExits = []struct {
	pattern string
	code    int
}{
	{`sfecho doctor .*--redirect-uri https://app\.example/cb`, ExitSetup}, // the callback is not registered: A2
}

// readmeBlock is one ```sh block of the README and its first line.
type readmeBlock struct {
	line  int
	lines []string
}

func readmeBlocks(t *testing.T, path string) []readmeBlock {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var blocks []readmeBlock
	var cur *readmeBlock
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		l := sc.Text()
		switch {
		case cur == nil && strings.TrimSpace(l) == "```sh":
			cur = &readmeBlock{line: n + 1}
		case cur != nil && strings.TrimSpace(l) == "```":
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			cur.lines = append(cur.lines, l)
		}
	}
	return blocks
}

// readmeRun is the world the examples run in: two simulated sites (the
// quick start's on 127.0.0.1 and the "acme" site with the /shop prefix),
// their CA file, a HOME and config directory of their own, and the
// variables the examples use.
type readmeRun struct {
	work, caFile       string
	quick, acme, plain *simtest.Site
	env                []string
	registered         int
}

const (
	readmePass = "Readme-Passw0rd!"
	readmeOTP  = "424242"
)

func newReadmeRun(t *testing.T, dir, bin string) *readmeRun {
	r := &readmeRun{work: filepath.Join(dir, "work")}
	for _, d := range []string{r.work, filepath.Join(dir, "home", ".config", "acme")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	users := []sim.User{}
	for _, u := range []string{"demo@example.com", "alice@example.com", "bot@example.com", "ci-bot@example.com"} {
		users = append(users, sim.User{Username: u, Password: readmePass, Email: u, FirstName: "Read", LastName: "Me"})
	}
	users[1].Phone = "+15555550100" // alice: --method sms and --login-hint +15555550100
	outbox, err := os.OpenFile(filepath.Join(r.work, "outbox"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { outbox.Close() })
	for _, p := range []string{"", "/shop", "plain"} {
		cfg := sim.Demo()
		cfg.Users, cfg.PathPrefix, cfg.FixedOTP, cfg.JWTAccessTokens = users, p, readmeOTP, true
		cfg.Outbox = outbox
		prefix := strings.TrimPrefix(p, "plain")
		cfg.RedirectURIs = []string{sim.SiteURLToken + "/services/oauth2/echo", "http://localhost" + prefix + "/services/oauth2/echo",
			"http://127.0.0.1" + prefix + "/services/oauth2/echo", "http://localhost:1717/OauthRedirect"}
		switch p {
		case "":
			r.quick = simtest.Start(t, cfg, simtest.TLS())
		case "plain": // the http:// simulator of the doctor examples
			cfg.PathPrefix = ""
			cfg.RedirectURIs = cfg.RedirectURIs[:3]
			r.plain = simtest.Start(t, cfg)
		default:
			r.acme = simtest.Start(t, cfg, simtest.TLS())
		}
	}
	r.caFile = filepath.Join(dir, "sim.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: r.acme.Server.Certificate().Raw})
	files := map[string]string{
		r.caFile:                        string(pemBytes),  // the README's examples create every other file they use
		filepath.Join(r.work, "pw.txt"): readmePass + "\n", // the register "..." placeholder reads it
	}
	for path, content := range files {
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	r.env = []string{
		"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"), "HOME=" + filepath.Join(dir, "home"),
		"SFECHO_CONFIG_DIR=" + filepath.Join(dir, "config"), "TMPDIR=" + dir,
		"SFECHO_SITE=" + r.acme.URL, "SFECHO_CLIENT_ID=" + sim.DemoClientID, "SFECHO_CA_FILE=" + r.caFile,
		"SFECHO_PASSWORD=" + readmePass, "SFECHO_NEW_PASSWORD=" + readmePass, "SFECHO_OTP=" + readmeOTP,
		"SITE=" + r.acme.URL, "CID=" + sim.DemoClientID, "PW=" + readmePass, "RECAPTCHA_TOKEN=recaptcha-token",
		"TOKEN=recaptcha-token", "NEW_PASSWORD=" + readmePass, "SFECHO_USERNAME=ci-bot@example.com",
		"STATE=s1", "REDIRECT_URL=http://localhost:1717/OauthRedirect?code=aPrx%3D%3D&state=s1",
		"CURL_CA_BUNDLE=" + r.caFile,
	}
	return r
}

var (
	placeholderArgs = regexp.MustCompile(`(sfecho (login|register)[^|>]*?) \.\.\.`)
	simAddr         = regexp.MustCompile(`--addr 127\.0\.0\.1:8443`)
)

// script turns a block into a runnable script: skipped lines commented
// out, placeholders replaced by the simulator's values, long-running
// servers started and stopped. ran is false when nothing of it runs.
func (r *readmeRun) script(b readmeBlock) (string, bool) {
	if !strings.Contains(strings.Join(b.lines, "\n"), "sfecho") {
		return "", false // not an sfecho example
	}
	var out []string
	if strings.Contains(strings.Join(b.lines, "\n"), "/tmp/outbox") {
		// This example hands the code over on stdin; SFECHO_OTP (which the
		// terminal-prompt examples stand in for) would win over it.
		out = append(out, "unset SFECHO_OTP")
	}
	ran := false
	joined := joinContinuations(b.lines)
	for _, l := range joined {
		trim := strings.TrimSpace(l)
		if trim == "" || strings.HasPrefix(trim, "#") {
			out = append(out, "")
			continue
		}
		if why := skipReason(trim); why != "" {
			out = append(out, "# skipped ("+why+"): "+trim)
			continue
		}
		if strings.Contains(trim, "jq ") {
			if _, err := exec.LookPath("jq"); err != nil {
				out = append(out, "# skipped (no jq here): "+trim)
				continue
			}
		}
		if strings.HasPrefix(trim, "sfecho sim") {
			l = strings.ReplaceAll(l, "/tmp/sim.pem", filepath.Join(r.work, "own-sim.pem")) // its own certificate, not the test's
		}
		l = r.substitute(l)
		if strings.HasPrefix(trim, "sfecho sim") {
			// A server: start it, see it serve, stop it with Ctrl-C (exit 130).
			l = simAddr.ReplaceAllString(l, "--addr 127.0.0.1:0")
			l = "{ timeout --preserve-status -s INT 1 " + strings.TrimSpace(stripComment(l)) + " >/dev/null || [ $? -eq 130 ]; }"
		}
		for _, e := range readmeExits {
			if regexp.MustCompile(e.pattern).MatchString(trim) {
				l = fmt.Sprintf("if %s; then false; else [ $? -eq %d ]; fi", strings.TrimSpace(stripComment(l)), e.code)
			}
		}
		out = append(out, l)
		ran = true
	}
	return strings.Join(out, "\n"), ran
}

func skipReason(line string) string {
	for _, s := range readmeSkips {
		if regexp.MustCompile(s.pattern).MatchString(line) {
			return s.why
		}
	}
	return ""
}

// substitute points the README's placeholders at the simulator.
func (r *readmeRun) substitute(l string) string {
	l = strings.NewReplacer(
		"https://acme.my.site.com/shop", r.acme.URL,
		"https://127.0.0.1:8443", r.quick.URL,
		"http://127.0.0.1:8443", r.plain.URL,
		"/tmp/sim.pem", r.caFile,
		"/tmp/outbox", filepath.Join(r.work, "outbox"),
		"/tmp/otp.txt", filepath.Join(r.work, "otp.txt"),
		"3MVG9...", sim.DemoClientID,
		"001xx000003DGb2AAG", "0015g0000000001AAA",
		"SFECHO_OTP=123456", "SFECHO_OTP="+readmeOTP,
	).Replace(l)
	return placeholderArgs.ReplaceAllStringFunc(l, func(m string) string {
		head := strings.TrimSuffix(m, " ...")
		if strings.Contains(head, "sfecho register") {
			r.registered++
			u := fmt.Sprintf("reg%d@example.com", r.registered)
			return head + " --username " + u + " --email " + u + " --last-name Example --recaptcha x --password-stdin < pw.txt"
		}
		return head + " --username alice@example.com"
	})
}

func stripComment(l string) string {
	if i := strings.Index(l, "  #"); i >= 0 {
		return l[:i]
	}
	return l
}

// joinContinuations joins lines ending in a backslash or a pipe, so each command is
// one line (keeping the count of lines for the error messages).
func joinContinuations(lines []string) []string {
	var out []string
	var cur strings.Builder
	for _, l := range lines {
		if strings.HasSuffix(l, `\`) {
			cur.WriteString(strings.TrimSuffix(l, `\`))
			out = append(out, "")
			continue
		}
		if strings.HasSuffix(strings.TrimSpace(l), "|") { // a pipeline goes on
			cur.WriteString(l + " ")
			out = append(out, "")
			continue
		}
		cur.WriteString(l)
		out = append(out, cur.String())
		cur.Reset()
	}
	return out
}

// ensureSession logs demo's alice in on the acme site when no default
// session is saved, as a reader who followed the README would have.
func (r *readmeRun) ensureSession(t *testing.T, bash string) {
	cmd := exec.Command(bash, "-c", "sfecho status >/dev/null 2>&1 || sfecho login --username alice@example.com --scope 'api refresh_token' -o token >/dev/null")
	cmd.Dir, cmd.Env = r.work, r.env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("setting up a session: %v\n%s", err, out)
	}
}
