package cli

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// tv14 is the echo help page's own example, flaws included (protocol.md TV14).
const tv14 = "https://MyExperienceCloudSite.my.site.com/services/oauth2/echo?code=aPrxr*******%3D%3D&state=mystate&sfdc_community_url=https%3A%2F%2FMyExperienceCloudSite.my.site.com%&sfdc_community_id=0DBRXXXXXXXXX"

func TestEchoDecode(t *testing.T) {
	const tv12 = "http://localhost:1717/OauthRedirect?code=aPrxGfV7WpWWFnEHqst_Stl_FyuCAgbsneQ6zSM2DJPi228_A_tXCg8ztb1cPKimwp8ENHaGvg%3D%3D&state=5e464f1da81b"
	const tv12JSON = `{"code":"aPrxGfV7WpWWFnEHqst_Stl_FyuCAgbsneQ6zSM2DJPi228_A_tXCg8ztb1cPKimwp8ENHaGvg==","state":"5e464f1da81b"}` + "\n"
	tests := []struct {
		name       string
		args       []string
		stdin      string
		code       int
		stdout     string   // exact, when not empty
		stderr     []string // substrings
		notInStder []string
	}{
		{name: "TV14", args: []string{tv14}, code: 0,
			stdout: `{"code":"aPrxr*******==","sfdc_community_id":"0DBRXXXXXXXXX","sfdc_community_url":"https://MyExperienceCloudSite.my.site.com","state":"mystate"}` + "\n",
			stderr: []string{`sfecho: warning: parameter "sfdc_community_url": malformed percent-escape`}},
		{name: "TV12 right state", args: []string{"--state", "5e464f1da81b", tv12}, code: 0, stdout: tv12JSON},
		{name: "TV12 wrong state", args: []string{"--state", "other-state", tv12}, code: 0, stdout: tv12JSON,
			stderr:     []string{`sfecho: warning: parameter "state": does not match the expected state`, "possible replay"},
			notInStder: []string{"aPrxGfV7", "5e464f1da81b", "other-state"}},
		{name: "missing state", args: []string{"--state", "s", "https://h/cb?code=c"}, code: 0,
			stderr: []string{`parameter "state"`}},
		{name: "error fragment", args: []string{"https://www.customercontactinfo.com/user_callback.jsp#error=access_denied"}, code: 0,
			stdout: `{"error":"access_denied"}` + "\n", stderr: []string{`warning: parameter "error"`, "denied"}},
		{name: "missing code and repeated key", args: []string{"https://h/cb?state=a&state=b"}, code: 0,
			stderr: []string{`parameter "state": appears 2 times`, `parameter "code": missing`}},
		{name: "stdin", args: []string{"-"}, stdin: tv12 + "\n", code: 0, stdout: tv12JSON},
		{name: "stdin header block", args: []string{"-"},
			stdin: "HTTP/1.1 302 Found\r\nContent-Length: 0\r\nLocation: " + tv12 + "\r\n\r\n", code: 0, stdout: tv12JSON},
		{name: "stdin empty", args: []string{"-"}, code: ExitUsage, stderr: []string{"stdin is empty"}},
		{name: "stdin two URLs", args: []string{"-"}, stdin: tv12 + "\n" + tv12 + "\n", code: ExitUsage, stderr: []string{"2 lines"}},
		{name: "no parameters", args: []string{"https://acme.my.site.com/services/oauth2/echo"}, code: ExitUsage,
			stderr: []string{"sfecho: echo decode: not a URL with parameters"}},
		{name: "not a URL", args: []string{"hello world"}, code: ExitUsage},
		{name: "no argument", args: nil, code: ExitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			te := newTestEnv(t)
			te.stdin.WriteString(tt.stdin)
			code := te.run(t, append([]string{"echo", "decode"}, tt.args...)...)
			if code != tt.code {
				t.Errorf("exit %d; want %d\nstderr: %s", code, tt.code, te.stderr)
			}
			if tt.stdout != "" && te.stdout.String() != tt.stdout {
				t.Errorf("stdout = %q; want %q", te.stdout, tt.stdout)
			}
			for _, s := range tt.stderr {
				if !contains(te.stderr.String(), s) {
					t.Errorf("stderr lacks %q:\n%s", s, te.stderr)
				}
			}
			for _, s := range tt.notInStder {
				if contains(te.stderr.String(), s) {
					t.Errorf("stderr shows %q:\n%s", s, te.stderr)
				}
			}
		})
	}
}

// lineWriter passes each line written to it to a channel, so a test can
// follow a running command's output without sharing a buffer.
type lineWriter struct{ lines chan string }

func newLineWriter() *lineWriter { return &lineWriter{lines: make(chan string, 100)} }

func (w *lineWriter) Write(p []byte) (int, error) {
	for l := range strings.Lines(string(p)) {
		w.lines <- strings.TrimRight(l, "\n")
	}
	return len(p), nil
}

// next returns the next line, failing the test after a generous deadline
// (a hang guard, not a timing assertion).
func (w *lineWriter) next(t *testing.T) string {
	t.Helper()
	select {
	case l := <-w.lines:
		return l
	case <-time.After(20 * time.Second):
		t.Fatal("no output line")
		return ""
	}
}

// startServe runs sfecho echo serve with args in the background and
// returns its endpoint URL, its output, and its exit code channel.
func startServe(t *testing.T, ctx context.Context, args ...string) (string, *lineWriter, *lineWriter, chan int) {
	t.Helper()
	te := newTestEnv(t)
	out, errw := newLineWriter(), newLineWriter()
	te.Out, te.Err = out, errw
	done := make(chan int, 1)
	go func() { done <- Run(ctx, append([]string{"echo", "serve"}, args...), te.Env) }()
	line := errw.next(t)
	_, url, ok := strings.Cut(line, "listening at ")
	if !ok {
		t.Fatalf("first stderr line = %q; want the URL", line)
	}
	url, _, _ = strings.Cut(url, " ")
	return url, out, errw, done
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, string(b)
}

func TestEchoServeOnceWithState(t *testing.T) {
	url, out, errw, done := startServe(t, t.Context(), "--once", "--state", "s1", "--path", "/OauthRedirect")
	if !strings.HasPrefix(url, "http://127.0.0.1:") || !strings.HasSuffix(url, "/OauthRedirect") {
		t.Fatalf("URL %q", url)
	}
	if code, _ := httpGet(t, url+"?code=wrong&state=s2"); code != http.StatusBadRequest {
		t.Errorf("wrong state: %d; want 400", code)
	}
	if l := errw.next(t); !contains(l, "sfecho: warning: refused a redirect: state does not match") || contains(l, "s2") {
		t.Errorf("stderr line %q", l)
	}
	code, body := httpGet(t, url+"?code=aPrx%3D%3D&state=s1&sfdc_community_url=https%3A%2F%2Fh%")
	want := `{"code":"aPrx==","sfdc_community_url":"https://h","state":"s1"}`
	if code != 200 || strings.TrimSpace(body) != want {
		t.Errorf("right state: %d %s", code, body)
	}
	if l := out.next(t); l != want {
		t.Errorf("stdout line %q; want %q", l, want)
	}
	if l := errw.next(t); !contains(l, `warning: parameter "sfdc_community_url": malformed`) {
		t.Errorf("stderr line %q; want the malformed escape", l)
	}
	if c := <-done; c != 0 {
		t.Errorf("exit %d; want 0", c)
	}
}

func TestEchoServeEveryRedirectUntilInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	url, out, _, done := startServe(t, ctx)
	for _, c := range []string{"one", "two", "three"} {
		httpGet(t, url+"?code="+c+"&state=x")
		if l := out.next(t); l != `{"code":"`+c+`","state":"x"}` {
			t.Errorf("stdout line %q", l)
		}
	}
	cancel()
	if c := <-done; c != ExitInterrupted {
		t.Errorf("exit %d; want 130", c)
	}
}

func TestEchoServeAddressErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	te := newTestEnv(t)
	if code := te.run(t, "echo", "serve", "--addr", ln.Addr().String()); code != ExitUsage ||
		!contains(te.stderr.String(), "port already in use") || !contains(te.stderr.String(), "hint: port "+port+" is in use") {
		t.Errorf("busy port: exit %d\n%s", code, te.stderr)
	}
	for _, addr := range []string{"0.0.0.0:0", ":8080", "192.0.2.1:0"} {
		if code := te.run(t, "echo", "serve", "--addr", addr); code != ExitUsage || !contains(te.stderr.String(), "loopback") {
			t.Errorf("--addr %s: exit %d\n%s", addr, code, te.stderr)
		}
	}
}

func TestEchoHelpHasExamples(t *testing.T) {
	te := newTestEnv(t)
	for _, args := range [][]string{{"echo", "--help"}, {"echo", "decode", "--help"}, {"echo", "serve", "--help"}} {
		if code := te.run(t, args...); code != 0 || !contains(te.stdout.String(), "Examples:") {
			t.Errorf("%v: exit %d, no example:\n%s", args, code, te.stdout)
		}
	}
}
