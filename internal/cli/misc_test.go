package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sfecho/sfecho/internal/sim"
)

func TestDemo(t *testing.T) {
	for _, capture := range []string{"location", "echo"} {
		te := newTestEnv(t)
		if code := te.run(t, "demo", "--capture", capture); code != 0 {
			t.Fatalf("demo: exit %d\n%s", code, te.stderr)
		}
		m := decodeJSON(t, te.stdout.String())
		if m["access_token"] == nil || m["sfdc_community_url"] == nil {
			t.Errorf("demo output lacks tokens: %v", m)
		}
		for _, step := range []string{"PKCE", "authorize: POST", "302", "got a code", "token exchange", "userinfo"} {
			if !contains(te.stderr.String(), step) {
				t.Errorf("demo narration lacks %q:\n%s", step, te.stderr)
			}
		}
	}
}

func TestPKCECommand(t *testing.T) {
	te := newTestEnv(t)
	if code := te.run(t, "pkce", "--verifier", "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"); code != 0 {
		t.Fatalf("exit %d: %s", code, te.stderr)
	}
	want := `{"code_verifier":"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk","code_challenge":"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM","code_challenge_method":"S256"}` + "\n"
	if te.stdout.String() != want {
		t.Errorf("pkce = %s; want %s", te.stdout, want)
	}
	if code := te.run(t, "pkce", "--verifier", "short"); code != ExitUsage {
		t.Errorf("short verifier: exit %d; want 2", code)
	}
	te.run(t, "pkce")
	var m map[string]string
	if err := json.Unmarshal(te.stdout.Bytes(), &m); err != nil || len(m["code_verifier"]) < 43 {
		t.Errorf("pkce = %s (%v)", te.stdout, err)
	}
}

func TestVersionAndHelp(t *testing.T) {
	te := newTestEnv(t)
	te.Version = "1.2.3"
	if code := te.run(t, "version"); code != 0 || !strings.HasPrefix(te.stdout.String(), "sfecho 1.2.3") {
		t.Errorf("version: %d %q", code, te.stdout)
	}
	if code := te.run(t, "--help"); code != 0 || !contains(te.stdout.String(), "Exit codes:") {
		t.Errorf("--help lacks exit codes: %s", te.stdout)
	}
	if code := te.run(t, "no-such-command"); code != ExitUsage {
		t.Errorf("unknown command: exit %d; want 2", code)
	}
}

func TestInterruptedExit130(t *testing.T) {
	ts := startSite(t, defaultConfig(), nil)
	ts.Fail(sim.EndpointAuthorize, sim.Failure{Hang: true})
	te := newTestEnv(t)
	te.stdin.WriteString(testPass + "\n")
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	if code := Run(ctx, ts.loginArgs(), te.Env); code != ExitInterrupted {
		t.Errorf("exit %d; want 130; stderr:\n%s", code, te.stderr)
	}
}

// TestEchoCaptureSendsNoCredentials checks that the redirect target never
// receives the Basic credentials.
func TestEchoCaptureSendsNoCredentials(t *testing.T) {
	var leaked bool
	spy := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/echo") && r.Header.Get("Authorization") != "" {
				leaked = true
			}
			next.ServeHTTP(w, r)
		})
	}
	ts := startSite(t, defaultConfig(), spy)
	te := newTestEnv(t)
	te.stdin.WriteString(testPass + "\n")
	if code := te.run(t, ts.loginArgs("--capture", "echo")...); code != 0 {
		t.Fatalf("exit %d\n%s", code, te.stderr)
	}
	if leaked {
		t.Error("the echo endpoint received an Authorization header")
	}
	if got := ts.Requests(); got != 3 {
		t.Errorf("echo capture made %d requests; want 3", got)
	}
}

// TestSimCommand runs sfecho sim --tls and logs into it with --ca-file.
func TestSimCommand(t *testing.T) {
	pr, pw := io.Pipe()
	te := newTestEnv(t)
	te.Out = pw
	cert := filepath.Join(t.TempDir(), "sim.pem")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() {
		done <- Run(ctx, []string{"sim", "--tls", "--cert-file", cert, "--prefix", "shop"}, te.Env)
		pw.Close()
	}()
	banner := map[string]string{}
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), "=")
		if !strings.HasPrefix(v, "'") || !strings.HasSuffix(v, "'") {
			t.Errorf("banner line %q is not shell-quoted", sc.Text())
		}
		banner[k] = strings.ReplaceAll(strings.Trim(v, "'"), `'\''`, "'")
		if k == "callbacks" {
			break
		}
	}
	go io.Copy(io.Discard, pr)
	if !strings.HasPrefix(banner["site"], "https://127.0.0.1:") || !strings.HasSuffix(banner["site"], "/shop") || banner["ca_file"] != cert {
		t.Fatalf("banner = %v", banner)
	}
	lt := newTestEnv(t)
	lt.vars["SFECHO_PASSWORD"] = banner["password"]
	code := lt.run(t, "login", "--site", banner["site"], "--client-id", banner["client_id"], "--username", banner["username"],
		"--ca-file", cert, "--no-store", "-o", "token")
	if code != 0 || !strings.HasPrefix(lt.stdout.String(), "00D") {
		t.Errorf("login against sfecho sim: exit %d, stdout %q, stderr %s", code, lt.stdout, lt.stderr)
	}
	// --capture local works against the TLS simulator as started: its
	// loopback echo callback is registered.
	code = lt.run(t, "login", "--site", banner["site"], "--client-id", banner["client_id"], "--username", banner["username"],
		"--ca-file", cert, "--no-store", "-o", "token", "--capture", "local")
	if code != 0 || !strings.HasPrefix(lt.stdout.String(), "00D") {
		t.Errorf("login --capture local against sfecho sim --tls: exit %d, stdout %q, stderr %s", code, lt.stdout, lt.stderr)
	}
	cancel()
	if code := <-done; code != 0 && code != ExitInterrupted {
		t.Errorf("sim exit %d", code)
	}
	if code := newTestEnv(t).run(t, "sim", "--addr", "0.0.0.0:0"); code != ExitUsage {
		t.Errorf("non-loopback --addr: exit %d; want 2", code)
	}
}

// TestDetachedBrowser: a launcher that never returns (a browser started in
// the foreground) does not hold the login; one that fails at once is
// reported.
func TestDetachedBrowser(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	open := detach(func(string) error { <-block; return nil }, 50*time.Millisecond)
	done := make(chan error, 1)
	go func() { done <- open("http://127.0.0.1/x") }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("a browser still running is not an error: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the login waited on the browser process")
	}
	failing := detach(func(string) error { return io.ErrUnexpectedEOF }, time.Minute)
	if err := failing("http://127.0.0.1/x"); err != io.ErrUnexpectedEOF {
		t.Errorf("a launcher that fails: %v", err)
	}
}
