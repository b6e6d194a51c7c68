// Package simtest serves the simulated Experience Cloud site (internal/sim)
// over real HTTP for tests, as net/http/httptest serves a handler: start a
// site with a config, count its connections and grants, rewrite the
// authorize 302, and play the browser of a --web login. It is for tests
// only; production code never imports it.
package simtest

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/sfecho/sfecho/internal/sim"
)

// Site is a simulated site served over HTTP (or TLS) on loopback.
type Site struct {
	*sim.Site
	// Server is the HTTP server; its Certificate is the site's with TLS.
	Server *httptest.Server
	// URL is the site URL, prefix included.
	URL string

	conns  atomic.Int64
	mu     sync.Mutex
	grants map[string]int
}

// Option changes how a site is served.
type Option func(*options)

type options struct {
	tls   bool
	wraps []func(http.Handler) http.Handler
}

// TLS serves the site over https with a self-signed certificate.
func TLS() Option { return func(o *options) { o.tls = true } }

// Wrap puts a handler between client and site (to record, delay or rewrite
// what passes); several wraps apply outermost first.
func Wrap(w func(http.Handler) http.Handler) Option {
	return func(o *options) {
		if w != nil {
			o.wraps = append(o.wraps, w)
		}
	}
}

// Start serves a site for cfg until the test ends.
func Start(t testing.TB, cfg sim.Config, opts ...Option) *Site {
	t.Helper()
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	s := &Site{Site: sim.New(cfg), grants: map[string]int{}}
	var h http.Handler = s.Site
	for i := len(o.wraps) - 1; i >= 0; i-- {
		h = o.wraps[i](h)
	}
	s.Server = httptest.NewUnstartedServer(s.countGrants(h))
	s.Server.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	if o.tls {
		s.Server.StartTLS()
	} else {
		s.Server.Start()
	}
	t.Cleanup(func() { s.Site.Close(); s.Server.Close() })
	s.URL = s.Server.URL + s.Config().PathPrefix
	return s
}

// Conns returns how many connections clients opened.
func (s *Site) Conns() int { return int(s.conns.Load()) }

// Grants returns how many token requests of grantType (authorization_code,
// refresh_token) reached the site.
func (s *Site) Grants(grantType string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.grants[grantType]
}

func (s *Site) countGrants(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/services/oauth2/token") && r.Body != nil {
			// Read and put back: what stands behind sees the body untouched.
			b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
			r.Body = io.NopCloser(bytes.NewReader(b))
			if form, err := url.ParseQuery(string(b)); err == nil {
				s.mu.Lock()
				s.grants[form.Get("grant_type")]++
				s.mu.Unlock()
			}
		}
		next.ServeHTTP(w, r)
	})
}

// RewriteLocation is a Wrap that changes the Location of every authorize
// 302 with f: an off-host redirect, a forged state, another community URL.
func RewriteLocation(f func(*url.URL)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !strings.HasSuffix(r.URL.Path, "/services/oauth2/authorize") {
				next.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			if loc, err := url.Parse(rec.Header().Get("Location")); err == nil && rec.Code == http.StatusFound {
				f(loc)
				w.Header().Set("Location", loc.String())
			}
			w.WriteHeader(rec.Code)
			_, _ = w.Write(rec.Body.Bytes())
		})
	}
}

// SetQuery returns a Location rewrite that sets one query parameter.
func SetQuery(key, value string) func(*url.URL) {
	return func(u *url.URL) {
		q := u.Query()
		q.Set(key, value)
		u.RawQuery = q.Encode()
	}
}

// Raw serves a site that ignores HTTP's rules: to every request on a
// loopback port it answers answer, byte for byte ("{host}" in it becomes
// the server's host:port), and closes. It returns the server's URL.
func Raw(t testing.TB, answer string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				req, err := http.ReadRequest(bufio.NewReader(conn))
				if err != nil {
					return
				}
				_, _ = io.Copy(io.Discard, req.Body)
				_, _ = io.WriteString(conn, strings.ReplaceAll(answer, "{host}", ln.Addr().String()))
			}()
		}
	}()
	return "http://" + ln.Addr().String()
}
