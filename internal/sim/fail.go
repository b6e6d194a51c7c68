package sim

import (
	"bytes"
	"net/http"
	"strconv"
	"time"
)

// Failure makes an endpoint misbehave, for testing how clients cope. The
// fields combine: Delay first, then Drop, Hang, a canned answer (Status),
// or the real answer cut short (Truncate). A Failure with only Delay set
// answers normally after the delay.
type Failure struct {
	// Status, Body and ContentType are sent instead of the real answer
	// when Status is non-zero. ContentType "" means text/plain, or
	// application/json when Body starts with '{' or '['.
	Status      int
	Body        string
	ContentType string
	// Header adds response headers to the canned answer (a Location, say).
	Header map[string]string
	// Drop closes the connection without an answer (hijack and close).
	Drop bool
	// Hang never answers: the handler waits until the client gives up
	// (its context ends) or [Site.Close] is called.
	Hang bool
	// Truncate sends the real status and headers but only the first half
	// of the body, without Content-Length, so JSON arrives cut short.
	Truncate bool
	// Delay waits this long (or until the client gives up) first.
	Delay time.Duration
	// Times is how many requests the failure applies to; 0 means every
	// request until [Site.ClearFailures].
	Times int
}

// Fail installs f for endpoint, one of the Endpoint* names (EndpointAny
// matches endpoints without their own entry), replacing any earlier one.
func (s *Site) Fail(endpoint string, f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fails[endpoint] = &f
}

// ClearFailures removes every installed failure.
func (s *Site) ClearFailures() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fails = map[string]*Failure{}
}

// takeFailure returns the failure that applies to this request to name,
// counting it down, or nil.
func (s *Site) takeFailure(name string) *Failure {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := name
	f := s.fails[key]
	if f == nil {
		key, f = EndpointAny, s.fails[EndpointAny]
	}
	if f == nil {
		return nil
	}
	c := *f
	if f.Times > 0 {
		if f.Times--; f.Times == 0 {
			delete(s.fails, key)
		}
	}
	return &c
}

// inject applies an installed failure. It reports whether the request has
// been dealt with; false means the real handler should run.
func (s *Site) inject(w http.ResponseWriter, r *http.Request, name string, h handlerFunc) bool {
	f := s.takeFailure(name)
	if f == nil {
		return false
	}
	s.logf("injecting failure into %s", name)
	if f.Delay > 0 && !s.wait(r, time.After(f.Delay)) {
		return true
	}
	switch {
	case f.Drop:
		drop(w)
	case f.Hang:
		s.wait(r, nil)
	case f.Status != 0:
		cannedAnswer(w, f)
	case f.Truncate:
		truncated(w, r, h)
	default:
		return false
	}
	return true
}

// wait blocks until done fires (true), or the client leaves or the site
// closes (false).
func (s *Site) wait(r *http.Request, done <-chan time.Time) bool {
	select {
	case <-done:
		return true
	case <-r.Context().Done():
	case <-s.closed:
	}
	return false
}

func drop(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // HTTP/2: reset the stream instead
	}
	_ = conn.Close()
}

func cannedAnswer(w http.ResponseWriter, f *Failure) {
	ct := f.ContentType
	if ct == "" {
		ct = "text/plain;charset=UTF-8"
		if b := bytes.TrimSpace([]byte(f.Body)); len(b) > 0 && (b[0] == '{' || b[0] == '[') {
			ct = "application/json;charset=UTF-8"
		}
	}
	w.Header().Set("Content-Type", ct)
	for k, v := range f.Header {
		w.Header().Set(k, v)
	}
	w.WriteHeader(f.Status)
	_, _ = w.Write([]byte(f.Body))
}

// truncated runs the real handler into a buffer and sends half its body.
func truncated(w http.ResponseWriter, r *http.Request, h handlerFunc) {
	rec := &recorder{header: http.Header{}}
	h(rec, r)
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	w.Header().Del("Content-Length")
	w.Header().Set("X-Sim-Truncated", strconv.Itoa(rec.body.Len()))
	if rec.code == 0 {
		rec.code = http.StatusOK
	}
	w.WriteHeader(rec.code)
	_, _ = w.Write(rec.body.Bytes()[:rec.body.Len()/2])
}

type recorder struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
}
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
