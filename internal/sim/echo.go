package sim

import (
	"net/http"
	"net/url"
	"strings"
)

// echo serves {prefix}/services/oauth2/echo: the query parameters of the
// redirect as a JSON object, first value of each key, with CORS
// (protocol.md §3, TV14).
func (s *Site) echo(w http.ResponseWriter, r *http.Request) {
	cors(w, r)
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
	writeJSON(w, http.StatusOK, lenientQuery(r.URL.RawQuery))
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

// lenientQuery decodes a query string pair by pair, keeping the first value
// of each key. A malformed percent-escape does not spoil the other pairs:
// the stray '%' is dropped, as the help page's own example shows (TV14).
func lenientQuery(raw string) map[string]string {
	out := map[string]string{}
	for _, pair := range strings.Split(raw, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key := unescape(k)
		if _, seen := out[key]; !seen && key != "" {
			out[key] = unescape(v)
		}
	}
	return out
}

func unescape(s string) string {
	if v, err := url.QueryUnescape(s); err == nil {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			b.WriteByte(' ')
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			v, _ := url.QueryUnescape(s[i : i+3])
			b.WriteString(v)
			i += 2
		case c == '%':
			// malformed escape: drop the '%'
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isHex(c byte) bool {
	return ('0' <= c && c <= '9') || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}
