package cli

import (
	"encoding/json"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/sfecho/sfecho/internal/sim"
)

// Test users of the issue-3 flows.
const (
	testPhone    = "+15555550123"
	testNewPass  = "N3w-Passw0rd!"
	testRecaptch = "rc-token-1"
)

// flowsConfig is defaultConfig with every headless flow on: passwordless
// without reCAPTCHA (Salesforce's default), registration and forgot
// password with it, guests and user discovery.
func flowsConfig() sim.Config {
	cfg := defaultConfig()
	cfg.Users[0].Phone = testPhone
	cfg.Passwordless = sim.Flow{Enabled: true}
	cfg.Registration = sim.Flow{Enabled: true, RequireRecaptcha: true}
	cfg.ForgotPassword = sim.Flow{Enabled: true, RequireRecaptcha: true}
	cfg.Guest = true
	cfg.Discovery = true
	return cfg
}

// otpStdin is a stdin that holds the lines known up front (a password),
// then — only when sfecho reads past them — the OTP the site last sent for
// key, then the lines after it. Reading past the first lines before the
// site sent an OTP means sfecho read stdin before the init step ended: the
// reader then answers EOF and records it.
type otpStdin struct {
	site  *testSite
	key   string
	first string // lines before the OTP
	after string // lines after the OTP
	wrong string // when set, sent instead of the real OTP

	mu    sync.Mutex
	buf   strings.Reader
	stage int
	early bool // stdin was read for the OTP before any was sent
}

func newOTPStdin(ts *testSite, key, first, after string) *otpStdin {
	s := &otpStdin{site: ts, key: key, first: first, after: after}
	s.buf.Reset(first)
	return s
}

func (s *otpStdin) Read(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		if n, err := s.buf.Read(p); n > 0 || err != io.EOF {
			return n, err
		}
		if s.stage > 0 {
			return 0, io.EOF
		}
		s.stage++
		otp, ok := s.site.LastOTP(s.key)
		if s.wrong != "" {
			otp, ok = s.wrong, true
		}
		if !ok {
			s.early = true
			return 0, io.EOF
		}
		s.buf.Reset(otp + "\n" + s.after)
	}
}

// lastOTP returns the last OTP the site sent for key, failing the test
// when there is none.
func (ts *testSite) lastOTP(t *testing.T, key string) string {
	t.Helper()
	otp, ok := ts.LastOTP(key)
	if !ok {
		t.Fatalf("the site sent no OTP for %q", key)
	}
	return otp
}

// terminal makes te a terminal session whose no-echo prompts are answered
// by answer(prompt); it returns the prompts seen.
func (te *testEnv) terminal(answer func(prompt string) string) *[]string {
	var prompts []string
	te.InTTY = true
	te.ReadSecret = func(prompt string) (string, error) {
		prompts = append(prompts, prompt)
		te.stderr.WriteString(prompt + "\n")
		return answer(prompt), nil
	}
	return &prompts
}

// lazyEnv makes SFECHO_OTP answer the site's last OTP for key at the
// moment sfecho reads it, as if the user exported it on receipt.
func (te *testEnv) lazyOTPEnv(ts *testSite, key string) {
	te.Getenv = func(k string) string {
		if k == "SFECHO_OTP" {
			otp, _ := ts.LastOTP(key)
			return otp
		}
		return te.vars[k]
	}
}

func TestParseCustom(t *testing.T) {
	t.Parallel()
	got, err := parseCustom([]string{"privacyPolicy=true", "age=42", "zip=02134", "phone=+12035408967",
		"city=Lantana", "quoted=\"20537\"", "obj={\"a\":1}", "empty=", "eq=a=b"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"privacyPolicy": "true", "age": "42", "zip": `"02134"`, "phone": `"+12035408967"`,
		"city": `"Lantana"`, "quoted": `"20537"`, "obj": `{"a":1}`, "empty": `""`, "eq": `"a=b"`}
	for k, w := range want {
		if s := jsonString(t, got[k]); s != w {
			t.Errorf("--custom %s: %s; want %s", k, s, w)
		}
	}
	for _, bad := range []string{"novalue", "=x"} {
		if _, err := parseCustom([]string{bad}); err == nil {
			t.Errorf("parseCustom(%q) accepted", bad)
		}
	}
}

func jsonString(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
