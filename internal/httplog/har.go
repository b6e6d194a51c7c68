package httplog

import (
	"bytes"
	"encoding/json"
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

// HAR records every request and response that passes through it as a
// HAR 1.2 log (http://www.softwareishard.com/blog/har-12-spec/), the format
// browser devtools import and export, timings included. Every secret is
// masked exactly as [Transport] masks it in the -v trace: Basic and Bearer
// credentials, cookies, the values of secret form, query and JSON keys
// (URLs and Location included), and no body that is not a form or JSON is
// recorded at all (only its size and type).
//
// Use it as a RoundTripper closest to the network, so its timings are the
// connection's, and write the log with [HAR.WriteTo] when the run ends. It
// is safe for concurrent use and never changes the caller's request.
type HAR struct {
	Base http.RoundTripper
	// Secret reports whether a parameter or JSON key holds a secret; it
	// must be the -v trace's (flow.SecretParam for sfecho).
	Secret func(key string) bool
	// Creator and Version name the program in the log's creator field.
	Creator, Version string
	// Known holds the run's secrets (see [Learner]); each is masked
	// wherever it appears in the log, as in the -v trace.
	Known *safetext.Secrets

	mu      sync.Mutex
	entries []harEntry
}

// RoundTrip implements http.RoundTripper over Base.
func (h *HAR) RoundTrip(req *http.Request) (*http.Response, error) { return h.roundTrip(h.base(), req) }

// Wrap returns a RoundTripper over base that records into h, so that every
// HTTP client of a run (each with its own transport) adds to one log.
func (h *HAR) Wrap(base http.RoundTripper) http.RoundTripper { return &harTransport{h: h, base: base} }

type harTransport struct {
	h    *HAR
	base http.RoundTripper
}

func (t *harTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.base == nil {
		return t.h.roundTrip(http.DefaultTransport, req)
	}
	return t.h.roundTrip(t.base, req)
}

func (h *HAR) roundTrip(base http.RoundTripper, req *http.Request) (*http.Response, error) {
	m := h.masker()
	e := harEntry{Request: m.harRequest(req)}
	tm := &harClock{}
	tm.start = time.Now()
	e.StartedDateTime = tm.start.Format("2006-01-02T15:04:05.000Z07:00")
	resp, err := base.RoundTrip(req.WithContext(tm.withTrace(req.Context())))
	if err != nil {
		tm.finish(time.Now())
		e.Response = harResponse{Cookies: []harNV{}, Headers: []harNV{}, Content: harContent{MimeType: "x-unknown"},
			HeadersSize: -1, BodySize: -1, Error: redactErr(err)}
		e.Timings, e.Time = tm.timings()
		e.ServerIPAddress = tm.remoteIP()
		h.add(e)
		return nil, err
	}
	body, rerr := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	tm.finish(time.Now())
	resp.Body = rebody(resp.Body, body, rerr)
	e.Request.HTTPVersion = resp.Proto
	e.Response = m.harResponse(resp, body)
	if rerr != nil {
		e.Response.Error = "body cut short: " + rerr.Error()
	}
	e.Timings, e.Time = tm.timings()
	e.ServerIPAddress = tm.remoteIP()
	h.add(e)
	return resp, nil
}

// rebody gives the caller the whole body back: what was read, then the
// rest of the stream (a body over maxBody is not recorded past it), or the
// read error.
func rebody(orig io.ReadCloser, read []byte, err error) io.ReadCloser {
	if err != nil {
		orig.Close()
		return io.NopCloser(io.MultiReader(bytes.NewReader(read), errReader{err}))
	}
	if len(read) < maxBody {
		orig.Close()
		return io.NopCloser(bytes.NewReader(read))
	}
	return struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(read), orig), orig}
}

func (h *HAR) base() http.RoundTripper {
	if h.Base != nil {
		return h.Base
	}
	return http.DefaultTransport
}

func (h *HAR) masker() *Transport { return &Transport{Secret: h.Secret} }

func (h *HAR) add(e harEntry) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.entries = append(h.entries, e)
}

// Len returns the number of entries recorded so far.
func (h *HAR) Len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.entries)
}

// WriteTo writes the log as indented JSON.
func (h *HAR) WriteTo(w io.Writer) (int64, error) {
	h.mu.Lock()
	entries := append([]harEntry{}, h.entries...)
	h.mu.Unlock()
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].StartedDateTime < entries[j].StartedDateTime })
	doc := harDoc{Log: harLog{Version: "1.2", Creator: harCreator{Name: h.Creator, Version: h.Version},
		Pages: []struct{}{}, Entries: entries,
		Comment: "secrets masked as in the -v trace; bodies other than forms and JSON are not recorded"}}
	if doc.Log.Creator.Name == "" {
		doc.Log.Creator.Name = "sfecho"
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return 0, err
	}
	b = append([]byte(h.Known.Mask(string(b))), '\n') // a server may echo a secret anywhere
	n, err := w.Write(b)
	return int64(n), err
}

// The HAR 1.2 document. Field names and required fields follow the spec;
// "_error" is a custom field (the spec allows ones starting with "_"), as
// browsers use for requests that got no answer.
type harDoc struct {
	Log harLog `json:"log"`
}

type harLog struct {
	Version string     `json:"version"`
	Creator harCreator `json:"creator"`
	Pages   []struct{} `json:"pages"`
	Entries []harEntry `json:"entries"`
	Comment string     `json:"comment,omitempty"`
}

type harCreator struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type harEntry struct {
	StartedDateTime string      `json:"startedDateTime"`
	Time            float64     `json:"time"`
	Request         harRequest  `json:"request"`
	Response        harResponse `json:"response"`
	Cache           struct{}    `json:"cache"`
	Timings         harTimings  `json:"timings"`
	ServerIPAddress string      `json:"serverIPAddress,omitempty"`
}

type harNV struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type harRequest struct {
	Method      string       `json:"method"`
	URL         string       `json:"url"`
	HTTPVersion string       `json:"httpVersion"`
	Cookies     []harNV      `json:"cookies"`
	Headers     []harNV      `json:"headers"`
	QueryString []harNV      `json:"queryString"`
	PostData    *harPostData `json:"postData,omitempty"`
	HeadersSize int          `json:"headersSize"`
	BodySize    int          `json:"bodySize"`
}

type harPostData struct {
	MimeType string  `json:"mimeType"`
	Params   []harNV `json:"params,omitempty"`
	Text     string  `json:"text"`
	Comment  string  `json:"comment,omitempty"`
}

type harResponse struct {
	Status      int        `json:"status"`
	StatusText  string     `json:"statusText"`
	HTTPVersion string     `json:"httpVersion"`
	Cookies     []harNV    `json:"cookies"`
	Headers     []harNV    `json:"headers"`
	Content     harContent `json:"content"`
	RedirectURL string     `json:"redirectURL"`
	HeadersSize int        `json:"headersSize"`
	BodySize    int        `json:"bodySize"`
	Error       string     `json:"_error,omitempty"`
}

type harContent struct {
	Size     int    `json:"size"`
	MimeType string `json:"mimeType"`
	Text     string `json:"text,omitempty"`
	Comment  string `json:"comment,omitempty"`
}

// harRequest records req, masked. Cookies are not itemized: their values
// are secrets, and the Cookie header shows them masked.
func (t *Transport) harRequest(req *http.Request) harRequest {
	masked := t.redactURL(req.URL)
	r := harRequest{Method: req.Method, URL: masked, HTTPVersion: req.Proto, Cookies: []harNV{},
		Headers: t.harHeaders(req.Header), QueryString: harQuery(masked), HeadersSize: -1}
	if req.Body == nil || req.GetBody == nil {
		return r
	}
	rc, err := req.GetBody()
	if err != nil {
		return r
	}
	body, _ := io.ReadAll(io.LimitReader(rc, maxBody))
	rc.Close()
	r.BodySize = len(body)
	if len(body) == 0 {
		return r
	}
	ct := req.Header.Get("Content-Type")
	pd := &harPostData{MimeType: ct}
	text, note := t.harBody(ct, body)
	pd.Text, pd.Comment = text, note
	if mt, _, _ := mime.ParseMediaType(ct); mt == "application/x-www-form-urlencoded" {
		pd.Params = harPairs(text)
	}
	r.PostData = pd
	return r
}

func (t *Transport) harResponse(resp *http.Response, body []byte) harResponse {
	ct := resp.Header.Get("Content-Type")
	r := harResponse{Status: resp.StatusCode, StatusText: http.StatusText(resp.StatusCode),
		HTTPVersion: resp.Proto, Cookies: []harNV{}, Headers: t.harHeaders(resp.Header),
		HeadersSize: -1, BodySize: len(body), Content: harContent{Size: len(body), MimeType: ct}}
	if _, text, ok := strings.Cut(resp.Status, " "); ok {
		r.StatusText = text
	}
	if r.Content.MimeType == "" {
		r.Content.MimeType = "x-unknown"
	}
	if loc := resp.Header.Get("Location"); loc != "" {
		r.RedirectURL = t.headerValue("Location", loc)
	}
	if len(body) > 0 {
		r.Content.Text, r.Content.Comment = t.harBody(ct, body)
	}
	return r
}

// harBody masks a body as the trace does: forms and JSON with secret values
// masked, anything else not recorded.
func (t *Transport) harBody(ctype string, body []byte) (text, note string) {
	ct, _, _ := mime.ParseMediaType(ctype)
	switch {
	case ct == "application/x-www-form-urlencoded":
		return t.redactValues(string(body)), ""
	case ct == "application/json" || strings.HasSuffix(ct, "+json"):
		var v any
		if json.Unmarshal(body, &v) != nil {
			return "", "invalid or truncated JSON, not recorded"
		}
		return t.redactJSON(body), ""
	}
	return "", "a body of " + orNone(ct) + " is not recorded (only forms and JSON are, secrets masked)"
}

func (t *Transport) harHeaders(h http.Header) []harNV {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := []harNV{}
	for _, k := range keys {
		for _, v := range h[k] {
			out = append(out, harNV{Name: k, Value: t.headerValue(k, v)})
		}
	}
	return out
}

// harQuery lists the (already masked) URL's query parameters in order.
func harQuery(masked string) []harNV {
	u, err := url.Parse(masked)
	if err != nil {
		return []harNV{}
	}
	return harPairs(u.RawQuery)
}

// harPairs splits a (masked) urlencoded string into name/value pairs,
// keeping order and repeats.
func harPairs(raw string) []harNV {
	out := []harNV{}
	if raw == "" {
		return out
	}
	for _, p := range strings.Split(raw, "&") {
		if p == "" {
			continue
		}
		k, v, _ := strings.Cut(p, "=")
		if uk, err := url.QueryUnescape(k); err == nil {
			k = uk
		}
		if uv, err := url.QueryUnescape(v); err == nil {
			v = uv
		}
		out = append(out, harNV{Name: k, Value: v})
	}
	return out
}
