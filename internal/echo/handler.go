package echo

import (
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Capture is one redirect that reached the endpoint with parameters.
type Capture struct {
	// Params are the redirect's query parameters, as the JSON answer has them.
	Params Params
	// Problems are the syntax problems of the query followed by
	// [Params.Check] against Options.State (so a rejected capture says why).
	Problems []Problem
	// Time is when the redirect arrived.
	Time time.Time
	// Rejected is empty for an accepted redirect; otherwise it says why the
	// redirect was refused (with Options.State set: a missing or different
	// state). Rejected captures are reported but never end [Server.Wait].
	Rejected string
}

// The endpoint answers GET with the query's [Params] as a JSON object with
// CORS headers, like Salesforce's endpoint (protocol.md §3), or an HTML page
// when the client asks for text/html. OPTIONS is a CORS preflight (204). A
// GET without parameters is answered 400 and not delivered; with
// Options.State set, a redirect without exactly that state is answered 400;
// with Options.Once, redirects after the first accepted one are answered
// 410. Other methods get 405.

// handler is the endpoint; deliver reports false when the capture could not
// be handed over (the server is closing).
type handler struct {
	opts    Options
	deliver func(Capture) bool
	taken   atomic.Bool // with Once: a redirect was accepted
}

func newHandler(opts Options, deliver func(Capture) bool) *handler {
	return &handler{opts: opts.withDefaults(), deliver: deliver}
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("Referrer-Policy", "no-referrer")
	hdr.Set("X-Content-Type-Options", "nosniff")
	setCORS(hdr, r)
	switch r.Method {
	case http.MethodGet:
		h.serveGet(w, r)
	case http.MethodOptions:
		preflight(w, r)
	default:
		hdr.Set("Allow", "GET, OPTIONS")
		reply(w, r, http.StatusMethodNotAllowed, errorJSON("invalid_request", "use GET"),
			page{Title: "Method not allowed", Lines: []string{"This endpoint answers GET only."}})
	}
}

// serveGet applies the Once and State rules to one redirect.
func (h *handler) serveGet(w http.ResponseWriter, r *http.Request) {
	params, probs := ParseQueryLenient(r.URL.RawQuery)
	if len(params) == 0 {
		reply(w, r, http.StatusBadRequest, errorJSON("invalid_request", "no redirect parameters"), noParamsPage)
		return
	}
	if h.opts.Once && h.taken.Load() {
		h.opts.Logf("echo: refused a redirect: one was already accepted")
		reply(w, r, http.StatusGone, errorJSON("invalid_request", "this endpoint accepts one redirect and already has it"), gonePage)
		return
	}
	c := Capture{Params: params, Problems: append(probs, params.Check(h.opts.State)...), Time: time.Now()}
	if why := h.stateRejection(params); why != "" {
		c.Rejected = why
		h.opts.Logf("echo: rejected a redirect: %s", why)
		h.deliver(c)
		reply(w, r, http.StatusBadRequest, errorJSON("invalid_request", why), rejectedPage)
		return
	}
	if h.opts.Once && !h.taken.CompareAndSwap(false, true) {
		reply(w, r, http.StatusGone, errorJSON("invalid_request", "this endpoint accepts one redirect and already has it"), gonePage)
		return
	}
	if !h.deliver(c) {
		reply(w, r, http.StatusServiceUnavailable, errorJSON("temporarily_unavailable", "the endpoint is shutting down"), closingPage)
		return
	}
	h.opts.Logf("echo: accepted a redirect with %d parameters", len(params))
	reply(w, r, http.StatusOK, params.JSON(), acceptedPage(params))
}

// stateRejection says why a redirect fails the Options.State rule, or "".
// The comparison is constant-time and never quotes either state.
func (h *handler) stateRejection(p Params) string {
	if h.opts.State == "" {
		return ""
	}
	got, ok := p["state"]
	switch {
	case !ok:
		return "state is missing"
	case subtle.ConstantTimeCompare([]byte(got), []byte(h.opts.State)) != 1:
		return "state does not match"
	}
	return ""
}

// setCORS lets any origin read the answer, as Salesforce's echo endpoint
// supports CORS (protocol.md §3). No credentials are involved, so echoing
// the Origin (or "*" without one) exposes nothing a page did not send.
func setCORS(h http.Header, r *http.Request) {
	origin := r.Header.Get("Origin")
	if origin == "" {
		h.Set("Access-Control-Allow-Origin", "*")
		return
	}
	h.Set("Access-Control-Allow-Origin", origin)
	h.Add("Vary", "Origin")
}

// preflight answers a CORS preflight request: 204 with the allowed methods
// and the requested headers (a GET needs no others).
func preflight(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Allow", "GET, OPTIONS")
	h.Set("Access-Control-Allow-Methods", "GET, OPTIONS")
	allow := r.Header.Get("Access-Control-Request-Headers")
	if allow == "" {
		allow = "Accept, Content-Type"
	}
	h.Set("Access-Control-Allow-Headers", allow)
	h.Set("Access-Control-Max-Age", "600")
	h.Add("Vary", "Access-Control-Request-Headers")
	w.WriteHeader(http.StatusNoContent)
}

// reply writes body as JSON, or pg as HTML when the client prefers it.
// Headers are set before WriteHeader.
func reply(w http.ResponseWriter, r *http.Request, status int, body []byte, pg page) {
	h := w.Header()
	h.Add("Vary", "Accept")
	if wantsHTML(r.Header.Get("Accept")) {
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
		body = pg.render()
	} else {
		h.Set("Content-Type", "application/json; charset=utf-8")
		body = append(body, '\n')
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// wantsHTML reports whether an Accept header names text/html before any
// JSON type, as a browser's navigation does; fetch() and curl send "*/*"
// and get JSON.
func wantsHTML(accept string) bool {
	for part := range strings.SplitSeq(accept, ",") {
		mt, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if refused(params) {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(mt)) {
		case "text/html", "application/xhtml+xml":
			return true
		case "application/json":
			return false
		}
	}
	return false
}

// refused reports whether media-range parameters carry q=0, which means
// "not acceptable" (RFC 9110, section 12.4.2).
func refused(params string) bool {
	for p := range strings.SplitSeq(params, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		if strings.EqualFold(k, "q") {
			q, err := strconv.ParseFloat(v, 64)
			return err == nil && q == 0
		}
	}
	return false
}

// errorJSON is the body of an answer that is not an accepted redirect.
func errorJSON(code, desc string) []byte {
	b, _ := json.Marshal(map[string]string{"error": code, "error_description": desc})
	return b
}
