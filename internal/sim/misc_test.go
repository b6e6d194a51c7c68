package sim

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestEcho(t *testing.T) {
	t.Parallel()
	e := newEnv(t, baseConfig())
	tests := []struct {
		query string
		want  map[string]string
	}{
		{"code=aPrxAB%3D%3D&state=s+1&sfdc_community_url=https%3A%2F%2Fx.example&sfdc_community_id=0DB1&state=second",
			map[string]string{"code": "aPrxAB==", "state": "s 1", "sfdc_community_url": "https://x.example", "sfdc_community_id": "0DB1"}},
		// protocol.md TV14, lone '%' included.
		{"code=aPrxr*******%3D%3D&state=mystate&sfdc_community_url=https%3A%2F%2FMyExperienceCloudSite.my.site.com%&sfdc_community_id=0DBRXXXXXXXXX",
			map[string]string{"code": "aPrxr*******==", "state": "mystate", "sfdc_community_url": "https://MyExperienceCloudSite.my.site.com", "sfdc_community_id": "0DBRXXXXXXXXX"}},
		{"error=access_denied&error_description=end-user+denied", map[string]string{"error": "access_denied", "error_description": "end-user denied"}},
		{"", map[string]string{}},
	}
	for _, tc := range tests {
		resp, err := e.c.Get(e.echoURL() + "?" + tc.query)
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]string
		err = json.NewDecoder(resp.Body).Decode(&got)
		resp.Body.Close()
		if err != nil || len(got) != len(tc.want) {
			t.Errorf("echo %q = %v (%v); want %v", tc.query, got, err, tc.want)
			continue
		}
		for k, v := range tc.want {
			if got[k] != v {
				t.Errorf("echo %q: %s = %q; want %q", tc.query, k, got[k], v)
			}
		}
		if resp.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("echo without Origin: ACAO %q", resp.Header.Get("Access-Control-Allow-Origin"))
		}
	}
}

func TestEchoCORSPreflight(t *testing.T) {
	t.Parallel()
	e := newEnv(t, baseConfig())
	resp := e.do(http.MethodOptions, "/services/oauth2/echo", nil, map[string]string{
		"Origin": "https://app.example", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "x-custom"})
	h := resp.Header
	if resp.StatusCode != http.StatusNoContent || h.Get("Access-Control-Allow-Origin") != "https://app.example" ||
		!strings.Contains(h.Get("Access-Control-Allow-Methods"), "GET") || h.Get("Access-Control-Allow-Headers") != "x-custom" {
		t.Errorf("preflight: %d %v", resp.StatusCode, h)
	}
}

// TestEchoCapture follows the 302 as a single-page app does.
func TestEchoCapture(t *testing.T) {
	t.Parallel()
	e := newEnv(t, baseConfig())
	c := &http.Client{Transport: e.srv.Client().Transport} // follows redirects
	req, _ := http.NewRequest(http.MethodPost, e.base+"/services/oauth2/authorize", strings.NewReader(e.authForm().Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Auth-Request-Type", "Named-User")
	req.Header.Set("Authorization", basic(testUser, testPass))
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(got["code"], "==") || got["state"] != "st-1" || got["sfdc_community_url"] != e.srv.URL {
		t.Errorf("echo JSON = %v", got)
	}
	decode(t, e.exchange(got["code"], nil), http.StatusOK)
}

func TestRequestsCount(t *testing.T) {
	t.Parallel()
	e := newEnv(t, baseConfig())
	e.tokens()
	e.do(http.MethodGet, "/nothing", nil, nil)
	if got := e.site.Requests(); got != 3 {
		t.Errorf("Requests() = %d; want 3", got)
	}
}

func TestFailureInjection(t *testing.T) {
	t.Parallel()
	e := newEnv(t, baseConfig())
	e.site.Fail(EndpointToken, Failure{Status: 503, Body: "<html>maintenance</html>", ContentType: "text/html", Times: 1})
	resp := e.exchange(e.code(), nil)
	if resp.StatusCode != 503 || resp.Header.Get("Content-Type") != "text/html" {
		t.Errorf("canned failure: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	decode(t, e.exchange(e.code(), nil), http.StatusOK) // Times: 1 is spent

	e.site.Fail(EndpointToken, Failure{Truncate: true})
	resp = e.exchange(e.code(), nil)
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || json.Valid(b) || !strings.HasPrefix(string(b), `{"access_token":"00D`) {
		t.Errorf("truncate: %d %q", resp.StatusCode, b)
	}
	e.site.ClearFailures()

	// A POST: the transport would retry an idempotent GET on a fresh connection.
	e.site.Fail(EndpointAny, Failure{Drop: true, Times: 1})
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, e.base+"/services/oauth2/token", strings.NewReader("grant_type=x"))
	if resp, err := e.c.Do(req); err == nil {
		resp.Body.Close()
		t.Error("drop: got a response")
	}
}

func TestFailureHang(t *testing.T) {
	t.Parallel()
	e := newEnv(t, baseConfig())
	e.site.Fail(EndpointAuthorize, Failure{Hang: true})
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, e.base+"/services/oauth2/authorize", strings.NewReader(e.authForm().Encode()))
	_, err := e.c.Do(req)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("hang: err = %v; want deadline exceeded", err)
	}
}

func TestFailureFromConfig(t *testing.T) {
	t.Parallel()
	cfg := baseConfig()
	cfg.Fail = map[string]Failure{EndpointUserinfo: {Status: 500, Body: `{"error":"server_error"}`}}
	e := newEnv(t, cfg)
	resp := e.do(http.MethodGet, "/services/oauth2/userinfo", nil, nil)
	if resp.StatusCode != 500 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Errorf("config failure: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

// TestDemoOverTLS runs the demo config behind the self-signed certificate,
// trusting only its PEM, as `sfecho sim --tls` with --ca-file does.
func TestDemoOverTLS(t *testing.T) {
	t.Parallel()
	cert, pemBytes, err := SelfSignedCert([]string{"sim.test"})
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(cert.Certificate[0])
	if len(leaf.IPAddresses) != 2 || len(leaf.DNSNames) != 2 {
		t.Errorf("SANs: %v %v; want 127.0.0.1 ::1 localhost sim.test", leaf.IPAddresses, leaf.DNSNames)
	}
	site := New(Demo())
	srv := httptest.NewUnstartedServer(site)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		t.Fatal("PEM not accepted")
	}
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	form := url.Values{"response_type": {"code_credentials"}, "client_id": {DemoClientID},
		"redirect_uri": {srv.URL + "/services/oauth2/echo"}}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/services/oauth2/authorize", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Auth-Request-Type", "Named-User")
	req.Header.Set("Authorization", basic(DemoUsername, DemoPassword))
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || loc.Query().Get("sfdc_community_url") != srv.URL || !strings.HasPrefix(srv.URL, "https://") {
		t.Errorf("demo authorize over TLS: %d %v", resp.StatusCode, loc)
	}
}

// TestOneConnection checks that authorize (stopped at the 302) and the
// token exchange can share one keep-alive connection.
func TestOneConnection(t *testing.T) {
	t.Parallel()
	site := New(baseConfig())
	srv := httptest.NewUnstartedServer(site)
	var conns atomic.Int32
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	c := srv.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	e := &env{t: t, site: site, srv: srv, c: c, base: srv.URL}
	e.tokens()
	if conns.Load() != 1 || site.Requests() != 2 {
		t.Errorf("login used %d connections and %d requests; want 1 and 2", conns.Load(), site.Requests())
	}
}
