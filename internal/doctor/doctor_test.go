package doctor

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sfecho/sfecho/internal/flow"
	"github.com/sfecho/sfecho/internal/sim"
)

// TestCatalogIsErrorsMD keeps the advice lines equal to docs/errors.md's.
func TestCatalogIsErrorsMD(t *testing.T) {
	b, err := os.ReadFile("../../docs/errors.md")
	if err != nil {
		t.Fatal(err)
	}
	entry := regexp.MustCompile(`(?m)^\*\*([A-Z][0-9]+) `)
	adv := regexp.MustCompile("(?m)^Advice: `([^`]*)`")
	ids := entry.FindAllSubmatchIndex(b, -1)
	found := map[string]string{}
	for i, m := range ids {
		end := len(b)
		if i+1 < len(ids) {
			end = ids[i+1][0]
		}
		if a := adv.FindSubmatch(b[m[1]:end]); a != nil {
			found[string(b[m[2]:m[3]])] = string(a[1])
		}
	}
	if len(found) < 50 {
		t.Fatalf("found only %d advice lines in errors.md", len(found))
	}
	for id, line := range found {
		if catalog[id] != line {
			t.Errorf("%s: catalog %q; errors.md %q", id, catalog[id], line)
		}
	}
	for id := range catalog {
		if _, ok := found[id]; !ok {
			t.Errorf("%s is in the catalog, not in errors.md", id)
		}
	}
}

// TestDefaultRunRequests pins what the default run sends: GETs of echo and
// discovery, and POSTs to authorize only; nothing that messages, creates or
// locks anyone.
func TestDefaultRunRequests(t *testing.T) {
	cfg := sim.Demo()
	cfg.Scopes = []string{"api"} // --scope below asks for more: every fallback probe runs
	cfg.CredentialsInBody = true
	site := sim.New(cfg)
	var mu sync.Mutex
	seen := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.Method+" "+r.URL.Path]++
		mu.Unlock()
		site.ServeHTTP(w, r)
	}))
	defer srv.Close()
	checks := Run(context.Background(), Options{HTTP: srv.Client(), Site: srv.URL, ClientID: sim.DemoClientID, Scope: "api web"})
	want := map[string]int{
		"GET /services/oauth2/echo":             1,
		"GET /.well-known/openid-configuration": 1,
		"POST /services/oauth2/authorize":       5, // Basic, body, Basic without scope, body without scope, no challenge
	}
	for k, n := range seen {
		if want[k] != n {
			t.Errorf("%s sent %d times; want %d", k, n, want[k])
		}
	}
	if site.OTPsSent() != 0 || site.UsersCreated() != 0 || site.FailedLogins() != 0 {
		t.Errorf("harm: %d OTPs, %d users, %d failed logins", site.OTPsSent(), site.UsersCreated(), site.FailedLogins())
	}
	var app Check
	for _, c := range checks {
		if c.Check == CheckApp {
			app = c
		}
	}
	if app.ErrorsMD != "A13" {
		t.Errorf("app = %+v; want A13 (scope and POST body)", app)
	}
}

func TestJudgeOAuth(t *testing.T) {
	tests := []struct {
		code, desc, id string
		headless       bool
	}{
		{"invalid_grant", "authentication failure", "", true},
		{"invalid_client", "code credential flow not enabled", "A4", false},
		{"invalid_client_id", "client identifier invalid", "A1", false},
		{"redirect_uri_mismatch", "redirect_uri must match configuration", "A2", false},
		{"invalid_request", "missing required code challenge", "A16", false},
		{"invalid_grant", "ip restricted or invalid login hours", "A7", false},
		{"invalid_request", "guest flow not enabled", "A18", false},
		{"invalid_scope", "", "A13", false},
	}
	for _, tc := range tests {
		v := judgeOAuth(tc.code, tc.desc)
		if v.id != tc.id || v.headless != tc.headless {
			t.Errorf("judgeOAuth(%q, %q) = %s headless %v; want %s %v", tc.code, tc.desc, v.id, v.headless, tc.id, tc.headless)
		}
	}
	if v := judgeOAuth("something_new", "odd"); v.status != Unknown {
		t.Errorf("an unknown error is %s; want unknown", v.status)
	}
}

// TestConnectionChecks feeds the name-lookup, connection and TLS checks
// traces a real network would produce.
func TestConnectionChecks(t *testing.T) {
	site, _ := url.Parse("https://acme.my.site.com/shop")
	dnsErr := &net.DNSError{Err: "no such host", Name: "acme.my.site.com", IsNotFound: true}
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}
	tests := []struct {
		name  string
		tr    *connTrace
		check string
		entry string
	}{
		{"dns", &connTrace{dnsDone: true, dnsErr: dnsErr}, CheckDNS, "N5"},
		{"tcp", &connTrace{dnsDone: true, connectTo: "203.0.113.1:443", connectErr: refused}, CheckTCP, "N5"},
		{"tls unknown CA", &connTrace{dnsDone: true, connected: "203.0.113.1:443", tlsDone: true,
			tlsErr: &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}}, CheckTLS, "N4"},
		{"tls not TLS", &connTrace{dnsDone: true, connected: "203.0.113.1:443", tlsDone: true,
			tlsErr: errors.New("tls: first record does not look like a TLS handshake")}, CheckTLS, "N5"},
	}
	for _, tc := range tests {
		r := &runner{site: site, now: time.Now}
		r.checkDNS(tc.tr)
		r.checkTCP(tc.tr)
		r.checkTLS(tc.tr)
		for _, c := range r.checks {
			if c.Check == tc.check && (c.Status != Failed || c.ErrorsMD != tc.entry || c.Kind != flow.KindNetwork) {
				t.Errorf("%s: %+v; want failed %s, network", tc.name, c, tc.entry)
			}
		}
	}
	r := &runner{site: site, now: time.Now}
	r.checkDNS(&connTrace{dnsDone: true, dnsAddrs: []string{"203.0.113.1"}})
	if c := r.checks[0]; c.Status != Passed || c.Detail != "acme.my.site.com resolves to 203.0.113.1" {
		t.Errorf("dns: %+v", c)
	}
}

// TestUnreachable lists every check a run that cannot connect skips.
func TestUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	checks := Run(context.Background(), Options{HTTP: &http.Client{}, Site: "http://" + addr, ClientID: "x",
		Origin: "https://app.example", Probes: []string{ProbeGuest}, Username: "u"})
	var got []string
	for _, c := range checks {
		got = append(got, c.Check+"="+string(c.Status))
	}
	want := "site=passed dns=passed tcp=failed tls=passed http2=passed echo=unknown cors=unknown discovery=unknown " +
		"app=unknown pkce=unknown guest=unknown clock=unknown login=unknown"
	if strings.Join(got, " ") != want {
		t.Errorf("checks:\n%s\nwant:\n%s", strings.Join(got, " "), want)
	}
}
