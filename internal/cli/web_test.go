package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sfecho/sfecho/internal/sim/simtest"
)

// editQuery returns a URL rewrite that edits the query.
func editQuery(f func(url.Values)) func(*url.URL) {
	return func(u *url.URL) {
		q := u.Query()
		f(q)
		u.RawQuery = q.Encode()
	}
}

func newBrowser() *simtest.Browser { return simtest.NewBrowser(testUser, testPass) }

// stderrWatch is a goroutine-safe stderr that hands over the first
// authorize URL written to it, as a person reads it off the terminal.
type stderrWatch struct {
	mu   sync.Mutex
	buf  *bytes.Buffer
	urls chan string
	sent bool
}

var authURLRe = regexp.MustCompile(`http://\S+/services/oauth2/authorize\?\S+`)

func watchStderr(te *testEnv) *stderrWatch {
	w := &stderrWatch{buf: te.stderr, urls: make(chan string, 1)}
	te.Env.Err = w
	return w
}

func (w *stderrWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.buf.Write(p)
	if !w.sent {
		if u := authURLRe.FindString(w.buf.String()); u != "" {
			w.sent = true
			w.urls <- u
		}
	}
	return n, err
}

// drive opens the URL printed on stderr with b, as a person would.
func (w *stderrWatch) drive(t *testing.T, b *simtest.Browser) {
	go func() {
		select {
		case u := <-w.urls:
			b.Visit(u)
		case <-time.After(20 * time.Second):
			b.Fail(errors.New("no URL on stderr"))
		}
	}()
}

// webArgs are the flags of a browser login against ts.
func (ts *testSite) webArgs(extra ...string) []string {
	return append([]string{"login", "--web", "--site", ts.URL, "--client-id", testClient, "--no-store"}, extra...)
}

func noBrowser(t *testing.T) func(string) error {
	return func(string) error {
		t.Error("a browser was started")
		return nil
	}
}

func TestWebLogin(t *testing.T) {
	ts := startSite(t, defaultConfig(), nil)
	te := newTestEnv(t)
	b := newBrowser()
	te.OpenBrowser = b.Open
	if code := te.run(t, ts.webArgs("-o", "json")...); code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, te.stderr)
	}
	m := decodeJSON(t, te.stdout.String())
	if m["access_token"] == nil || m["id_token"] == nil {
		t.Errorf("token = %v", m)
	}
	p := b.Result(t)
	if p.Err != nil || p.Status != http.StatusOK || !contains(p.Body, "you can close this tab") {
		t.Errorf("callback page: %d %v\n%s", p.Status, p.Err, p.Body)
	}
	u := authURLRe.FindString(te.stderr.String())
	if u == "" || !contains(te.stderr.String(), "opened your browser") {
		t.Fatalf("stderr:\n%s", te.stderr)
	}
	q, _ := url.Parse(u)
	for k, want := range map[string]string{"response_type": "code", "client_id": testClient, "code_challenge_method": "S256"} {
		if got := q.Query().Get(k); got != want {
			t.Errorf("authorize URL %s = %q; want %q", k, got, want)
		}
	}
	for _, k := range []string{"state", "code_challenge", "redirect_uri"} {
		if q.Query().Get(k) == "" {
			t.Errorf("authorize URL lacks %s: %s", k, u)
		}
	}
}

// The session is saved under the user named in the id_token.
func TestWebLoginSavesSession(t *testing.T) {
	ts := startSite(t, defaultConfig(), nil)
	te := newTestEnv(t)
	te.OpenBrowser = newBrowser().Open
	args := []string{"login", "--web", "--site", ts.URL, "--client-id", testClient, "-o", "text"}
	if code := te.run(t, args...); code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, te.stderr)
	}
	if !contains(te.stdout.String(), "Logged in as "+testUser) {
		t.Errorf("stdout:\n%s", te.stdout)
	}
	if code := te.run(t, "status", "--json"); code != 0 {
		t.Fatalf("status: exit %d; stderr:\n%s", code, te.stderr)
	}
	var st struct{ Username string }
	if err := json.Unmarshal(te.stdout.Bytes(), &st); err != nil || st.Username != testUser {
		t.Errorf("saved username = %q (%v); stdout:\n%s", st.Username, err, te.stdout)
	}
}

// Without a browser to start, the URL is only printed; the person opens it.
func TestWebLoginPrintOnly(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		env    map[string]string
		open   func(t *testing.T) func(string) error
		stderr string
	}{
		{name: "no-browser", args: []string{"--no-browser"}, open: noBrowser, stderr: "--no-browser: open that URL in a browser yourself"},
		{name: "ssh", env: map[string]string{"SSH_TTY": "/dev/pts/3"}, open: noBrowser, stderr: "SSH session (SSH_TTY is set): not starting a browser"},
		{name: "browser fails", open: func(*testing.T) func(string) error {
			return func(string) error { return errors.New("exec: \"xdg-open\": executable file not found in $PATH") }
		}, stderr: "could not start a browser (exec: \"xdg-open\": executable file not found in $PATH): open that URL yourself"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ts := startSite(t, defaultConfig(), nil)
			te := newTestEnv(t)
			for k, v := range tc.env {
				te.vars[k] = v
			}
			te.OpenBrowser = tc.open(t)
			w := watchStderr(te)
			b := newBrowser()
			w.drive(t, b)
			if code := te.run(t, ts.webArgs(append(tc.args, "-o", "token")...)...); code != 0 {
				t.Fatalf("exit %d; stderr:\n%s", code, te.stderr)
			}
			if !contains(te.stderr.String(), tc.stderr) || !contains(te.stderr.String(), "--login-timeout") {
				t.Errorf("stderr lacks %q:\n%s", tc.stderr, te.stderr)
			}
			if p := b.Result(t); p.Err != nil || !contains(p.Body, "you can close this tab") {
				t.Errorf("callback page: %v\n%s", p.Err, p.Body)
			}
			if !strings.HasPrefix(te.stdout.String(), "00D") {
				t.Errorf("stdout = %q", te.stdout)
			}
		})
	}
}

func TestWebLoginFailures(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	port := fmt.Sprint(busy.Addr().(*net.TCPAddr).Port)
	tests := []struct {
		name    string
		browser func(*simtest.Browser) // nil: the browser does nothing
		args    []string
		want    int
		stderr  []string
		page    string
	}{
		{name: "timeout", args: []string{"--login-timeout", "200ms"}, want: ExitNetwork,
			stderr: []string{"sfecho: browser login: no sign-in reached http://127.0.0.1:", "within 200ms", "hint: sign in within --login-timeout (200ms) or raise it"}},
		{name: "access denied", browser: func(b *simtest.Browser) { b.Action = "deny" }, want: ExitRejected,
			stderr: []string{"sfecho: browser login: access_denied: end-user denied authorization", "hint: authorization was denied"}, page: "Sign-in failed"},
		// A redirect without this login's state is ignored (a page or process on the machine cannot end the login);
		// nothing else comes, so the login times out.
		{name: "wrong state", browser: func(b *simtest.Browser) { b.Rewrite = editQuery(func(q url.Values) { q.Set("state", "forged-state") }) },
			args: []string{"--login-timeout", "1s"}, want: ExitNetwork,
			stderr: []string{"sfecho: warning: local endpoint: ignored a redirect with a code that does not carry this login's state",
				"(1 redirect without this login's state was ignored)"}, page: "Sign-in link refused"},
		{name: "port in use", args: []string{"--redirect-uri", "http://127.0.0.1:" + port + "/cb"}, want: ExitUsage,
			stderr: []string{"port already in use", "hint: port " + port + " is in use"}},
		{name: "password flag", args: []string{"--password-stdin"}, want: ExitUsage, stderr: []string{"--web signs in on the site's page"}},
		{name: "capture echo", args: []string{"--capture", "echo"}, want: ExitUsage, stderr: []string{"drop --capture echo"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ts := startSite(t, defaultConfig(), nil)
			te := newTestEnv(t)
			b := newBrowser()
			te.OpenBrowser = func(string) error { return nil }
			if tc.browser != nil {
				tc.browser(b)
				te.OpenBrowser = b.Open
			}
			code := te.run(t, ts.webArgs(tc.args...)...)
			if code != tc.want {
				t.Fatalf("exit %d; want %d; stderr:\n%s", code, tc.want, te.stderr)
			}
			for _, want := range tc.stderr {
				if !contains(te.stderr.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, te.stderr)
				}
			}
			if te.stdout.Len() != 0 || contains(te.stderr.String(), "forged-state") {
				t.Errorf("stdout %q; stderr:\n%s", te.stdout, te.stderr)
			}
			if tc.page != "" {
				if p := b.Result(t); !contains(p.Body, tc.page) {
					t.Errorf("callback page lacks %q: %d %v\n%s", tc.page, p.Status, p.Err, p.Body)
				}
			}
		})
	}
}

func TestCanaryWebLogin(t *testing.T) {
	const pw = "CANARY-pw-web-58"
	cfg := defaultConfig()
	cfg.Users[0].Password = pw
	cn := &canaries{seen: map[string]string{pw: "password"}}
	ts := startSite(t, cfg, cn.record)
	te := newTestEnv(t)
	b := newBrowser()
	b.Pass = pw
	te.OpenBrowser = b.Open
	if code := te.run(t, ts.webArgs("-v", "-o", "env")...); code != 0 {
		t.Fatalf("exit %d\n%s", code, te.stderr)
	}
	b.Result(t)
	if l := cn.leaks(te.stderr.String()); len(l) > 0 {
		t.Errorf("stderr leaks %v:\n%s", l, te.stderr)
	}
	if l := allowedOnStdout("env", cn.leaks(te.stdout.String())); len(l) > 0 {
		t.Errorf("stdout leaks %v", l)
	}
}
