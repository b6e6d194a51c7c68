package sim

import "net/http"

// echoCORS applies the CORS allowlist (Config.CORSOrigins) to the echo
// endpoint. An allowed origin, or any origin when there is no allowlist,
// gets the CORS headers; an origin not on the list gets 403 and no CORS
// headers, as Salesforce answers origins missing from Setup > CORS
// (errors.md B5). A request without Origin (not from a browser) is always
// answered. It has answered when it returns false.
func (s *Site) echoCORS(w http.ResponseWriter, r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" || s.cfg.CORSOrigins == nil || contains(s.cfg.CORSOrigins, origin) {
		cors(w, r)
		return true
	}
	s.logf("echo: origin %q is not on the CORS allowlist", origin)
	writeText(w, http.StatusForbidden, "CORS origin not allowed")
	return false
}
