package sim

import "net/http"

// revoke serves {prefix}/services/oauth2/revoke: POST form token=..., or
// GET ?token= (protocol.md §9, TV8). Revoking a refresh token revokes its
// whole family, access tokens included. An unknown or already revoked token
// gets 400 invalid_token; a missing one 400 unsupported_token_type.
func (s *Site) revoke(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET, POST")
		writeText(w, http.StatusMethodNotAllowed, "Method Not Allowed")
		return
	}
	if err := r.ParseForm(); err != nil {
		fail(w, "invalid_request", "malformed request")
		return
	}
	v := r.Form.Get("token")
	if v == "" {
		fail(w, "unsupported_token_type", "missing token")
		return
	}
	s.mu.Lock()
	t := s.st.tokens[v]
	ok := t != nil && !t.revoked
	if ok && t.refresh {
		t.fam.revoke()
	} else if ok {
		t.revoked = true
	}
	s.mu.Unlock()
	if !ok {
		fail(w, "invalid_token", "invalid token")
		return
	}
	s.logf("revoke: %s revoked", kindOf(t))
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
}

func kindOf(t *token) string {
	if t.refresh {
		return "refresh token and its family"
	}
	return "access token"
}
