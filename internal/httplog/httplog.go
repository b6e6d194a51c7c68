// Package httplog is the -v trace: an http.RoundTripper that prints each
// request and response to a writer with every secret masked — Basic and
// Bearer credentials, credential-bearing headers in either direction
// (Set-Cookie, WWW-Authenticate, X-Debug-Auth: Basic …), the values of
// secret form, query and JSON keys (password, otp, code, code_verifier,
// client_secret, tokens, identifier), and every secret the run knows
// wherever it appears. Each line is passed through [safetext.Line], so a
// header or body cannot drive the terminal.
//
// It prints bodies only when they are forms or JSON, so unknown payloads
// cannot leak. It never changes the caller's request (it clones first).
//
// [Learner] is the other half: a RoundTripper, installed on every run, that
// records the secrets crossing the wire in a [safetext.Secrets].
package httplog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/sfecho/sfecho/internal/safetext"
)

// maxBody caps what the trace reads of a body.
const maxBody = 1 << 20

// Mask replaces a secret value.
const Mask = safetext.Mask

// Transport prints requests and responses to Out.
type Transport struct {
	Base http.RoundTripper
	Out  io.Writer
	// Secret reports whether a parameter or JSON key holds a secret.
	Secret func(key string) bool
	// Known holds the secrets of the run (see [Learner]); each is masked
	// wherever it appears in the trace. Nil masks by key only.
	Known *safetext.Secrets
	mu    sync.Mutex
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "> %s %s\n", req.Method, t.redactURL(req.URL))
	t.writeHeaders(&b, ">", req.Header)
	if req.Body != nil && req.GetBody != nil {
		if rc, err := req.GetBody(); err == nil {
			body, _ := io.ReadAll(io.LimitReader(rc, maxBody))
			rc.Close()
			t.writeBody(&b, ">", req.Header.Get("Content-Type"), body)
		}
	}
	start := time.Now()
	resp, err := t.base().RoundTrip(req)
	if err != nil {
		fmt.Fprintf(&b, "< error after %s: %s\n", time.Since(start).Round(time.Millisecond), redactErr(err))
		t.flush(b.String())
		return nil, err
	}
	fmt.Fprintf(&b, "< %s %s (%s)\n", resp.Proto, resp.Status, time.Since(start).Round(time.Millisecond))
	t.writeHeaders(&b, "<", resp.Header)
	body, rerr := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	t.writeBody(&b, "<", resp.Header.Get("Content-Type"), body)
	if rerr != nil {
		fmt.Fprintf(&b, "< body cut short: %s\n", rerr)
		resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), errReader{rerr}))
	}
	t.flush(b.String())
	return resp, nil
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func (t *Transport) base() http.RoundTripper {
	if t.Base != nil {
		return t.Base
	}
	return http.DefaultTransport
}

// flush prints the trace of one exchange. Every line is masked again, for
// the secrets the run knows and for secret parameters in any text (a
// server may repeat them under other keys), and escaped by safetext.Line.
func (t *Transport) flush(s string) {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = t.Known.Line(safetext.MaskParams(l, t.Secret))
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	io.WriteString(t.Out, strings.Join(lines, "\n")+"\n")
}

func (t *Transport) secret(k string) bool { return t.Secret != nil && t.Secret(k) }

// redactErr drops the URL from a transport error: it may carry a query.
func redactErr(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Op + ": " + ue.Err.Error()
	}
	return err.Error()
}

func (t *Transport) redactURL(u *url.URL) string {
	c := *u
	c.User = nil
	c.RawQuery = t.redactValues(c.RawQuery)
	c.Fragment, c.RawFragment = t.redactValues(c.Fragment), ""
	return c.String()
}

// redactValues masks secret values in a raw query, keeping its shape.
func (t *Transport) redactValues(raw string) string {
	if raw == "" {
		return ""
	}
	parts := strings.Split(raw, "&")
	for i, p := range parts {
		k, _, ok := strings.Cut(p, "=")
		name, err := url.QueryUnescape(k)
		if err != nil {
			name = k
		}
		if ok && t.secret(name) {
			parts[i] = k + "=" + Mask
		}
	}
	return strings.Join(parts, "&")
}

func (t *Transport) writeHeaders(b *strings.Builder, dir string, h http.Header) {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			fmt.Fprintf(b, "%s %s: %s\n", dir, k, t.headerValue(k, v))
		}
	}
}

func (t *Transport) headerValue(k, v string) string {
	switch name := strings.ToLower(k); {
	case name == "authorization", name == "proxy-authorization",
		name == "www-authenticate", name == "proxy-authenticate":
		scheme, _, _ := strings.Cut(strings.TrimSpace(v), " ")
		return scheme + " " + Mask
	case name == "location", name == "content-location":
		if u, err := url.Parse(v); err == nil {
			return t.redactURL(u)
		}
		return Mask
	case credentialHeader(name):
		return Mask
	}
	if scheme, _, ok := strings.Cut(strings.TrimSpace(v), " "); ok && authScheme(scheme) {
		return scheme + " " + Mask
	}
	return v
}

// credentialHeader reports whether a header's name says it carries a
// credential (Cookie, Set-Cookie, X-Auth-Token, X-Debug-Auth, X-Api-Key,
// X-Session-Id, …): its value is never printed.
func credentialHeader(name string) bool {
	switch name {
	case "auth-request-type", "auth-verification-type", "access-control-allow-credentials":
		return false // sfecho's own request headers, and CORS
	}
	for _, part := range []string{"auth", "cookie", "token", "secret", "passw", "session", "credential", "api-key", "apikey", "signature"} {
		if strings.Contains(name, part) {
			return true
		}
	}
	return false
}

// authScheme reports whether a header value starts with an HTTP
// authentication scheme, as an echoed credential does whatever the
// header's name.
func authScheme(s string) bool {
	switch strings.ToLower(s) {
	case "basic", "bearer", "digest", "negotiate", "ntlm", "oauth", "hoba", "mutual":
		return true
	}
	return false
}

func (t *Transport) writeBody(b *strings.Builder, dir, ctype string, body []byte) {
	if len(body) == 0 {
		return
	}
	ct, _, _ := mime.ParseMediaType(ctype)
	switch {
	case ct == "application/x-www-form-urlencoded":
		fmt.Fprintf(b, "%s %s\n", dir, t.redactValues(string(body)))
	case ct == "application/json" || strings.HasSuffix(ct, "+json"):
		fmt.Fprintf(b, "%s %s\n", dir, t.redactJSON(body))
	default:
		fmt.Fprintf(b, "%s [%d bytes of %s]\n", dir, len(body), orNone(ct))
	}
}

func orNone(ct string) string {
	if ct == "" {
		return "unknown type"
	}
	return ct
}

// redactJSON masks secret keys at any depth; invalid JSON is not printed.
func (t *Transport) redactJSON(body []byte) string {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return fmt.Sprintf("[%d bytes of invalid or truncated JSON]", len(body))
	}
	out, _ := json.Marshal(t.redactAny(v))
	return string(out)
}

func (t *Transport) redactAny(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if t.secret(k) {
				x[k] = Mask
			} else {
				x[k] = t.redactAny(val)
			}
		}
	case []any:
		for i := range x {
			x[i] = t.redactAny(x[i])
		}
	}
	return v
}
