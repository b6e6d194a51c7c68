package echo

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// listen starts a server on an ephemeral loopback port and closes it when
// the test ends.
func listen(t *testing.T, opts Options) *Server {
	t.Helper()
	s, err := Listen(opts)
	if err != nil {
		t.Fatalf("Listen(%+v): %v", opts, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// get sends a request with the given method and headers to rawURL and
// returns the response with its body read.
func get(t *testing.T, method, rawURL string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, rawURL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func TestServerJSONAndCORS(t *testing.T) {
	t.Parallel()
	s := listen(t, Options{})
	if !strings.HasPrefix(s.URL(), "http://127.0.0.1:") || !strings.HasSuffix(s.URL(), DefaultPath) {
		t.Fatalf("URL() = %q", s.URL())
	}
	resp, body := get(t, "GET", s.URL()+"?code=aPrx%3D%3D&state=s&sfdc_community_url=https%3A%2F%2Fh%", nil)
	want := `{"code":"aPrx==","sfdc_community_url":"https://h","state":"s"}` + "\n"
	if resp.StatusCode != 200 || body != want {
		t.Errorf("GET = %d %q; want 200 %q", resp.StatusCode, body, want)
	}
	for k, v := range map[string]string{
		"Content-Type":                "application/json; charset=utf-8",
		"Access-Control-Allow-Origin": "*",
		"Cache-Control":               "no-store",
	} {
		if got := resp.Header.Get(k); got != v {
			t.Errorf("header %s = %q; want %q", k, got, v)
		}
	}
	c := <-s.Redirects()
	if c.Rejected != "" || c.Params["code"] != "aPrx==" || c.Time.IsZero() {
		t.Errorf("capture = %+v", c)
	}
	if len(c.Problems) != 1 || c.Problems[0].Kind != KindMalformedEscape {
		t.Errorf("capture problems = %v; want the malformed escape", c.Problems)
	}

	resp, _ = get(t, "GET", s.URL()+"?code=x", map[string]string{"Origin": "https://app.example.com"})
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "https://app.example.com" {
		t.Errorf("Allow-Origin with Origin = %q", got)
	}
	if got := resp.Header.Values("Vary"); !contains(got, "Origin") {
		t.Errorf("Vary = %q; want Origin", got)
	}
}

func TestServerPreflight(t *testing.T) {
	t.Parallel()
	s := listen(t, Options{})
	resp, body := get(t, "OPTIONS", s.URL(), map[string]string{
		"Origin":                         "http://localhost:3000",
		"Access-Control-Request-Method":  "GET",
		"Access-Control-Request-Headers": "x-requested-with",
	})
	if resp.StatusCode != http.StatusNoContent || body != "" {
		t.Errorf("preflight = %d %q; want 204 and no body", resp.StatusCode, body)
	}
	for k, v := range map[string]string{
		"Access-Control-Allow-Origin":  "http://localhost:3000",
		"Access-Control-Allow-Methods": "GET, OPTIONS",
		"Access-Control-Allow-Headers": "x-requested-with",
	} {
		if got := resp.Header.Get(k); got != v {
			t.Errorf("header %s = %q; want %q", k, got, v)
		}
	}
	select {
	case c := <-s.Redirects():
		t.Errorf("preflight delivered %+v", c)
	default:
	}
}

func TestServerHTML(t *testing.T) {
	t.Parallel()
	s := listen(t, Options{})
	browser := map[string]string{"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
	tests := []struct {
		name, query string
		mentions    []string
	}{
		{"success", "?code=CANARYcode%3D%3D&state=CANARYstate", []string{"Signed in", "close this tab"}},
		{"error", "?error=access_denied&error_description=%3Cscript%3Ealert(1)%3C%2Fscript%3E&state=CANARYstate",
			[]string{"Sign-in failed", "access_denied", "&lt;script&gt;alert(1)&lt;/script&gt;", "denied in the browser"}},
		{"no code", "?foo=CANARYvalue&bar=1", []string{"Redirect received", "bar, foo"}},
	}
	for _, tt := range tests {
		resp, body := get(t, "GET", s.URL()+tt.query, browser)
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Errorf("%s: %d %s; want 200 text/html", tt.name, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if resp.Header.Get("Content-Security-Policy") == "" {
			t.Errorf("%s: no Content-Security-Policy", tt.name)
		}
		for _, m := range tt.mentions {
			if !strings.Contains(body, m) {
				t.Errorf("%s: page does not contain %q:\n%s", tt.name, m, body)
			}
		}
		if strings.Contains(body, "CANARY") || strings.Contains(body, "<script>") {
			t.Errorf("%s: page shows a value or unescaped markup:\n%s", tt.name, body)
		}
		<-s.Redirects()
	}
}

func TestServerNotFoundAndMethods(t *testing.T) {
	t.Parallel()
	s := listen(t, Options{Path: "/cb"})
	base := strings.TrimSuffix(s.URL(), "/cb")
	for _, p := range []string{"/", "/cb/", "/services/oauth2/echo", "/favicon.ico", "/cbx?code=1"} {
		if resp, _ := get(t, "GET", base+p, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d; want 404", p, resp.StatusCode)
		}
	}
	resp, _ := get(t, "POST", s.URL()+"?code=1", nil)
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, OPTIONS" {
		t.Errorf("POST = %d Allow %q; want 405 GET, OPTIONS", resp.StatusCode, resp.Header.Get("Allow"))
	}
	resp, body := get(t, "GET", s.URL(), nil)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "no redirect parameters") {
		t.Errorf("GET without parameters = %d %q; want 400", resp.StatusCode, body)
	}
	select {
	case c := <-s.Redirects():
		t.Errorf("delivered %+v", c)
	default:
	}
}

func TestServerOnce(t *testing.T) {
	t.Parallel()
	s := listen(t, Options{Once: true})
	if resp, _ := get(t, "GET", s.URL()+"?code=first", nil); resp.StatusCode != 200 {
		t.Fatalf("first = %d; want 200", resp.StatusCode)
	}
	for range 2 {
		if resp, _ := get(t, "GET", s.URL()+"?code=again", nil); resp.StatusCode != http.StatusGone {
			t.Errorf("later = %d; want 410", resp.StatusCode)
		}
	}
	c, err := s.Wait(t.Context())
	if err != nil || c.Params["code"] != "first" {
		t.Errorf("Wait = %+v, %v; want the first redirect", c, err)
	}
	select {
	case c := <-s.Redirects():
		t.Errorf("a refused redirect was delivered: %+v", c)
	default:
	}
}

// TestServerOnceConcurrent sends many redirects at once: exactly one wins.
func TestServerOnceConcurrent(t *testing.T) {
	t.Parallel()
	s := listen(t, Options{Once: true})
	var wg sync.WaitGroup
	codes := make(chan int, 20)
	for range 20 {
		wg.Go(func() {
			resp, _ := get(t, "GET", s.URL()+"?code=c", nil)
			codes <- resp.StatusCode
		})
	}
	wg.Wait()
	close(codes)
	ok := 0
	for c := range codes {
		if c == 200 {
			ok++
		} else if c != http.StatusGone {
			t.Errorf("status %d; want 200 or 410", c)
		}
	}
	if ok != 1 {
		t.Errorf("%d redirects accepted; want 1", ok)
	}
}

func TestServerState(t *testing.T) {
	t.Parallel()
	s := listen(t, Options{State: "want-state", Once: true})
	for _, q := range []string{"?code=a&state=other", "?code=b", "?error=access_denied"} {
		resp, body := get(t, "GET", s.URL()+q, nil)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "state") || strings.Contains(body, "want-state") {
			t.Errorf("GET %s = %d %q; want 400 naming state without its value", q, resp.StatusCode, body)
		}
		c := <-s.Redirects()
		if c.Rejected == "" {
			t.Errorf("GET %s: capture not marked rejected: %+v", q, c)
		}
	}
	if resp, _ := get(t, "GET", s.URL()+"?code=good&state=want-state", nil); resp.StatusCode != 200 {
		t.Errorf("right state = %d; want 200", resp.StatusCode)
	}
	c, err := s.Wait(t.Context())
	if err != nil || c.Params["code"] != "good" || c.Rejected != "" || len(c.Problems) != 0 {
		t.Errorf("Wait = %+v, %v; want the redirect with the right state", c, err)
	}
}

// TestWaitSkipsRejected checks that a rejected redirect does not end Wait.
func TestWaitSkipsRejected(t *testing.T) {
	t.Parallel()
	s := listen(t, Options{State: "s"})
	get(t, "GET", s.URL()+"?code=bad&state=x", nil)
	get(t, "GET", s.URL()+"?code=good&state=s", nil)
	c, err := s.Wait(t.Context())
	if err != nil || c.Params["code"] != "good" {
		t.Errorf("Wait = %+v, %v; want the accepted redirect", c, err)
	}
}

func TestWaitContext(t *testing.T) {
	t.Parallel()
	s := listen(t, Options{})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := s.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait(cancelled) = %v; want context.Canceled", err)
	}
}

func TestWaitAfterClose(t *testing.T) {
	t.Parallel()
	s, err := Listen(Options{})
	if err != nil {
		t.Fatal(err)
	}
	get(t, "GET", s.URL()+"?code=buffered", nil)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	c, err := s.Wait(t.Context())
	if err != nil || c.Params["code"] != "buffered" {
		t.Errorf("Wait after Close = %+v, %v; want the buffered redirect", c, err)
	}
	if _, err := s.Wait(t.Context()); !errors.Is(err, ErrClosed) {
		t.Errorf("Wait on a drained closed server = %v; want ErrClosed", err)
	}
	if _, err := (&http.Client{}).Get(s.URL()); err == nil {
		t.Error("server still answers after Close")
	}
}

// TestCloseUnblocksHandlers fills the capture buffer with nobody reading,
// then closes: the blocked handler must return and Close must not hang.
func TestCloseUnblocksHandlers(t *testing.T) {
	t.Parallel()
	s, err := Listen(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for range captureBuffer {
		get(t, "GET", s.URL()+"?code=x", nil)
	}
	blocked := make(chan int, 1)
	go func() {
		resp, err := (&http.Client{}).Get(s.URL() + "?code=blocked")
		if err != nil {
			blocked <- 0
			return
		}
		resp.Body.Close()
		blocked <- resp.StatusCode
	}()
	// Wait until the extra request is being handled (its deliver blocks).
	for s.active.Load() == 0 {
		runtime.Gosched()
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	code := <-blocked
	t.Logf("blocked request answered %d", code)
	if code != http.StatusServiceUnavailable {
		t.Errorf("blocked request = %d; want 503", code)
	}
	n := 0
	for range s.Redirects() {
		n++
	}
	if n != captureBuffer {
		t.Errorf("drained %d captures; want %d", n, captureBuffer)
	}
}

func TestListenAddresses(t *testing.T) {
	t.Parallel()
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0", "192.0.2.1:0", "example.com:0", "localhost.example.com:0"} {
		if s, err := Listen(Options{Addr: addr}); !errors.Is(err, ErrNotLoopback) {
			if s != nil {
				s.Close()
			}
			t.Errorf("Listen(%q) = %v; want ErrNotLoopback", addr, err)
		}
	}
	for _, addr := range []string{"127.0.0.1", "127.0.0.1:http", "127.0.0.1:70000", "localhost:-1"} {
		if s, err := Listen(Options{Addr: addr}); err == nil {
			s.Close()
			t.Errorf("Listen(%q) succeeded; want an error", addr)
		}
	}
	if _, err := Listen(Options{Path: "no-slash"}); err == nil {
		t.Error("Listen with a relative path succeeded")
	}
	s := listen(t, Options{Addr: "localhost:0", Path: "/OauthRedirect"})
	if !strings.HasPrefix(s.URL(), "http://localhost:") || !strings.HasSuffix(s.URL(), "/OauthRedirect") {
		t.Errorf("URL() = %q; want http://localhost:PORT/OauthRedirect", s.URL())
	}
	if ip := s.Addr().(*net.TCPAddr).IP; !ip.Equal(net.IPv4(127, 0, 0, 1)) {
		t.Errorf("localhost bound %v; want 127.0.0.1", ip)
	}
	if resp, _ := get(t, "GET", s.URL()+"?code=1", nil); resp.StatusCode != 200 {
		t.Errorf("GET via localhost = %d", resp.StatusCode)
	}
}

func TestListenIPv6Loopback(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback here: %v", err)
	}
	ln.Close()
	s := listen(t, Options{Addr: "[::1]:0"})
	if !strings.HasPrefix(s.URL(), "http://[::1]:") {
		t.Errorf("URL() = %q", s.URL())
	}
}

func TestListenPortInUse(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	addr := ln.Addr().String()
	_, err = Listen(Options{Addr: addr})
	if !errors.Is(err, ErrAddrInUse) {
		t.Fatalf("Listen(busy %s) = %v; want ErrAddrInUse", addr, err)
	}
	if !strings.Contains(err.Error(), addr) || !strings.Contains(err.Error(), "in use") {
		t.Errorf("error %q does not name the address and the cause", err)
	}
	var se interface{ Timeout() bool }
	if !errors.As(err, &se) {
		t.Errorf("error %q lost the system error", err)
	}
}

func TestWantsHTML(t *testing.T) {
	t.Parallel()
	for accept, want := range map[string]bool{
		"": false, "*/*": false, "application/json": false,
		"text/html": true, "TEXT/HTML; charset=utf-8": true,
		"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8": true,
		"application/json, text/html":                                     false, "text/html;q=0, application/json": false,
		"text/html;q=0.5": true,
	} {
		if got := wantsHTML(accept); got != want {
			t.Errorf("wantsHTML(%q) = %v; want %v", accept, got, want)
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// A flood of redirects with a foreign state, with nobody reading, cannot
// hold up the redirect with the right state: refused ones never wait for
// room in the buffer.
func TestRejectedFloodDoesNotBlock(t *testing.T) {
	t.Parallel()
	s := listen(t, Options{State: "s", Once: true})
	for range 3 * captureBuffer {
		if resp, _ := get(t, "GET", s.URL()+"?error=access_denied&state=forged", nil); resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("foreign redirect = %d; want 400", resp.StatusCode)
		}
	}
	if resp, _ := get(t, "GET", s.URL()+"?code=good&state=s", nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("right state = %d; want 200", resp.StatusCode)
	}
}
