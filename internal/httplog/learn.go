package httplog

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/sfecho/sfecho/internal/safetext"
)

// Learner is an http.RoundTripper that records in Secrets every secret
// that crosses the wire, so that whatever sfecho prints later (errors,
// warnings, the trace) can mask it even where a server or a library
// repeats it: Basic and Bearer credentials, and the values of secret form,
// query and JSON keys of requests; the secret parameters of a response's
// Location, read leniently before net/http parses it (a Location it cannot
// parse is quoted whole in its error); and the secret keys of JSON
// answers. It changes neither requests nor responses.
//
// Install it innermost, under the -v [Transport], so that a response's
// secrets are known before the trace prints it.
type Learner struct {
	Base    http.RoundTripper
	Secrets *safetext.Secrets
	// Secret reports whether a parameter or JSON key holds a secret.
	Secret func(key string) bool
}

// RoundTrip implements http.RoundTripper.
func (l *Learner) RoundTrip(req *http.Request) (*http.Response, error) {
	l.learnRequest(req)
	base := l.Base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	l.learnResponse(resp)
	return resp, nil
}

func (l *Learner) secret(k string) bool { return l.Secret != nil && l.Secret(k) }

func (l *Learner) learnRequest(req *http.Request) {
	for _, h := range []string{"Authorization", "Proxy-Authorization"} {
		for _, v := range req.Header.Values(h) {
			l.learnCredential(v)
		}
	}
	l.learnQuery(req.URL.RawQuery)
	if req.Body == nil || req.GetBody == nil {
		return
	}
	rc, err := req.GetBody()
	if err != nil {
		return
	}
	body, _ := io.ReadAll(io.LimitReader(rc, maxBody))
	rc.Close()
	l.learnBody(req.Header.Get("Content-Type"), body)
}

// learnCredential records an Authorization value: both the whole
// credential and, for Basic, its secret half.
func (l *Learner) learnCredential(v string) {
	scheme, cred, ok := strings.Cut(strings.TrimSpace(v), " ")
	if !ok {
		return
	}
	cred = strings.TrimSpace(cred)
	l.Secrets.Add(cred)
	if strings.EqualFold(scheme, "Basic") {
		if raw, err := base64.StdEncoding.DecodeString(cred); err == nil {
			if user, pw, ok := strings.Cut(string(raw), ":"); ok {
				l.Secrets.AddBasic(user, pw)
			}
		}
	}
}

func (l *Learner) learnResponse(resp *http.Response) {
	for _, v := range resp.Header.Values("Location") {
		if _, q, ok := strings.Cut(v, "?"); ok {
			l.learnQuery(q)
		}
		if _, f, ok := strings.Cut(v, "#"); ok {
			l.learnQuery(f)
		}
	}
	ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if resp.Body == nil || !isJSON(ct) {
		return
	}
	rest := resp.Body
	body, err := io.ReadAll(io.LimitReader(rest, maxBody+1))
	if err != nil {
		// The caller meets the same failure after the same bytes.
		resp.Body = readCloser{io.MultiReader(bytes.NewReader(body), errReader{err}), rest}
		return
	}
	resp.Body = readCloser{io.MultiReader(bytes.NewReader(body), rest), rest}
	if len(body) <= maxBody {
		l.learnBody(ct, body)
	}
}

// learnQuery records the values of secret parameters of a raw query or
// fragment, read leniently: a parameter that does not decode is recorded
// as it was sent.
func (l *Learner) learnQuery(raw string) {
	raw, _, _ = strings.Cut(raw, "#")
	for p := range strings.SplitSeq(raw, "&") {
		k, v, ok := strings.Cut(p, "=")
		if !ok || v == "" {
			continue
		}
		if name, err := url.QueryUnescape(k); err == nil {
			k = name
		}
		if !l.secret(k) {
			continue
		}
		l.Secrets.Add(v)
		if dec, err := url.QueryUnescape(v); err == nil {
			l.Secrets.Add(dec)
		}
	}
}

func (l *Learner) learnBody(ctype string, body []byte) {
	ct, _, _ := mime.ParseMediaType(ctype)
	switch {
	case ct == "application/x-www-form-urlencoded":
		l.learnQuery(string(body))
	case isJSON(ct):
		var v any
		if json.Unmarshal(body, &v) == nil {
			l.learnJSON(v)
		}
	}
}

func (l *Learner) learnJSON(v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if s, ok := val.(string); ok && l.secret(k) {
				l.Secrets.Add(s)
			} else {
				l.learnJSON(val)
			}
		}
	case []any:
		for _, val := range x {
			l.learnJSON(val)
		}
	}
}

func isJSON(ct string) bool { return ct == "application/json" || strings.HasSuffix(ct, "+json") }

// readCloser reads from one reader and closes another: the original body.
type readCloser struct {
	io.Reader
	io.Closer
}
