package flow_test

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sfecho/sfecho/internal/flow"
	"github.com/sfecho/sfecho/internal/sim"
	"github.com/sfecho/sfecho/internal/sim/simtest"
)

// communitySite is a simulated site whose 302 names a chosen
// sfdc_community_url, reached over real HTTP (or TLS); every host name the
// client dials lands on it, so a Salesforce site domain can be tested
// without the internet. It records the Host of every token request.
type communitySite struct {
	srv        *httptest.Server
	community  string
	mu         sync.Mutex
	tokenHosts []string
}

func startCommunitySite(t *testing.T, tlsOn bool, community func(site string) string) (*communitySite, *flow.Client) {
	t.Helper()
	cs := &communitySite{}
	record := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, flow.PathToken) {
				cs.mu.Lock()
				cs.tokenHosts = append(cs.tokenHosts, r.Host)
				cs.mu.Unlock()
			}
			next.ServeHTTP(w, r)
		})
	}
	rewrite := simtest.RewriteLocation(func(u *url.URL) { simtest.SetQuery("sfdc_community_url", cs.community)(u) })
	opts := []simtest.Option{simtest.Wrap(record), simtest.Wrap(rewrite)}
	if tlsOn {
		opts = append(opts, simtest.TLS())
	}
	cs.srv = simtest.Start(t, sim.Config{ClientID: sessClient, Users: []sim.User{{Username: sessUser, Password: sessPass}}}, opts...).Server
	cs.community = community(cs.srv.URL)
	addr := cs.srv.Listener.Addr().String()
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		},
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, // the test server's certificate names no Salesforce host
	}
	u, err := flow.ParseSite(cs.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return cs, &flow.Client{HTTP: &http.Client{Transport: tr, Timeout: 10 * time.Second}, Site: u, ClientID: sessClient}
}

// TestCommunityURLOverHTTP runs the community-URL rule end to end (protocol.md §1, design.md security rules):
// the code and verifier go to the site's own host or a Salesforce site
// domain over https, and nowhere else.
func TestCommunityURLOverHTTP(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		tls       bool
		community func(site string) string
		trusted   []string
		wantHost  string // where the token request must land; "" = refused, nothing sent
	}{
		{"same host", true, func(s string) string { return s }, nil, "self"},
		{"salesforce site domain", true, func(string) string { return "https://acme.my.site.com" }, nil, "acme.my.site.com"},
		{"sandbox site domain", true, func(string) string { return "https://acme--uat.sandbox.my.site.com" }, nil, "acme--uat.sandbox.my.site.com"},
		{"foreign host", true, func(string) string { return "https://evil.example" }, nil, ""},
		{"foreign host trusted", true, func(string) string { return "https://portal.acme.example" }, []string{"https://portal.acme.example"}, "portal.acme.example"},
		{"https to http downgrade", true, func(s string) string { return strings.Replace(s, "https://", "http://", 1) }, nil, ""},
		{"salesforce domain over http", true, func(string) string { return "http://acme.my.site.com" }, nil, ""},
		{"127.0.0.1 is not [::1]", false, func(s string) string { return strings.Replace(s, "127.0.0.1", "[::1]", 1) }, nil, ""},
		{"127.0.0.1 is not localhost", false, func(s string) string { return strings.Replace(s, "127.0.0.1", "localhost", 1) }, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cs, c := startCommunitySite(t, tc.tls, tc.community)
			c.TrustedCommunityURLs = tc.trusted
			_, err := c.Login(context.Background(), flow.Authorization{User: sessUser, Secret: sessPass}, nil)
			cs.mu.Lock()
			hosts := cs.tokenHosts
			cs.mu.Unlock()
			if tc.wantHost == "" {
				if flow.KindOf(err) != flow.KindSecurity || len(hosts) != 0 {
					t.Fatalf("err %v (kind %v), token requests to %v; want a security error and no token request", err, flow.KindOf(err), hosts)
				}
				if !strings.Contains(flow.AdviceOf(err), "--trust-community-url") {
					t.Errorf("advice %q does not name --trust-community-url", flow.AdviceOf(err))
				}
				return
			}
			want := tc.wantHost
			if want == "self" {
				want = cs.srv.Listener.Addr().String()
			}
			if err != nil || len(hosts) != 1 || hosts[0] != want {
				t.Fatalf("err %v, token requests to %v; want one to %s", err, hosts, want)
			}
		})
	}
}
