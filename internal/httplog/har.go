package httplog

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"sort"
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
			HeadersSize: -1, BodySize: -1, Error: safetext.MaskParams(redactErr(err), h.Secret)}
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
		e.Response.Error = safetext.MaskParams("body cut short: "+rerr.Error(), h.Secret)
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
	for i := range entries {
		entries[i] = maskEntry(entries[i], h.Known)
	}
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
	// A server may echo a secret anywhere, and its text may carry control
	// or bidi characters that json.Marshal writes raw: mask the one,
	// escape the other, so that cat on the file is as safe as -v.
	b = append([]byte(safetext.JSON(h.Known.Mask(string(b)))), '\n')
	n, err := w.Write(b)
	return int64(n), err
}

// maskEntry masks the run's known secrets in every text of e, before it is
// encoded: a secret the site echoes must be found as the site wrote it,
// not in the JSON encoding of the HAR (where "&" is "\u0026" and a quote
// "\""). It runs when the log is written, so that secrets learnt after an
// exchange (a code, then tokens) are masked in it too.
func maskEntry(e harEntry, known *safetext.Secrets) harEntry {
	m := known.Mask
	nv := func(l []harNV) []harNV {
		out := make([]harNV, len(l))
		for i, p := range l {
			out[i] = harNV{Name: m(p.Name), Value: m(p.Value)}
		}
		return out
	}
	e.Request.URL = m(e.Request.URL)
	e.Request.Headers, e.Request.QueryString, e.Request.Cookies = nv(e.Request.Headers), nv(e.Request.QueryString), nv(e.Request.Cookies)
	if pd := e.Request.PostData; pd != nil {
		c := *pd
		c.Text, c.Params = m(c.Text), nv(c.Params)
		e.Request.PostData = &c
	}
	e.Response.Headers, e.Response.Cookies = nv(e.Response.Headers), nv(e.Response.Cookies)
	e.Response.Content.Text = m(e.Response.Content.Text)
	e.Response.RedirectURL = m(e.Response.RedirectURL)
	e.Response.Error = m(e.Response.Error)
	return e
}
