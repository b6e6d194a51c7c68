package sim

import (
	"net/http"

	"github.com/sfecho/sfecho/internal/echo"
)

// echo serves {prefix}/services/oauth2/echo: the query parameters of the
// redirect as a JSON object, first value of each key, with CORS
// (protocol.md §3, TV14).
func (s *Site) echo(w http.ResponseWriter, r *http.Request) {
	if !s.echoCORS(w, r) {
		return
	}
	switch r.Method {
	case http.MethodOptions:
		w.WriteHeader(http.StatusNoContent)
		return
	case http.MethodGet, http.MethodHead:
	default:
		w.Header().Set("Allow", "GET, HEAD, OPTIONS")
		writeText(w, http.StatusMethodNotAllowed, "Method Not Allowed")
		return
	}
	// The same lenient decoding as sfecho echo decode: a malformed escape
	// does not spoil the other parameters, and its stray "%" is dropped as
	// the help page's example shows (TV14).
	params, _ := echo.ParseQueryLenient(r.URL.RawQuery)
	writeJSON(w, http.StatusOK, params)
}

// cors sets the CORS headers echo sends: the request's Origin (or *) and,
// for a preflight, the allowed methods and headers.
func cors(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	origin := r.Header.Get("Origin")
	if origin == "" {
		h.Set("Access-Control-Allow-Origin", "*")
	} else {
		h.Set("Access-Control-Allow-Origin", origin)
		h.Add("Vary", "Origin")
	}
	if r.Method == http.MethodOptions {
		h.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
		allow := r.Header.Get("Access-Control-Request-Headers")
		if allow == "" {
			allow = "Authorization, Content-Type"
		}
		h.Set("Access-Control-Allow-Headers", allow)
		h.Set("Access-Control-Max-Age", "86400")
	}
}
