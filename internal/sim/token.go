package sim

import (
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/sfecho/sfecho/internal/pkce"
)

// token serves {prefix}/services/oauth2/token (protocol.md §2, §9).
func (s *Site) token(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		// A POST turned into a GET by an http->https redirect gets this
		// (protocol.md §0, errors.md T4).
		fail(w, "unsupported_grant_type", "grant type not supported")
		return
	}
	if err := r.ParseForm(); err != nil {
		fail(w, "invalid_request", "malformed request")
		return
	}
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		s.codeGrant(w, r)
	case "refresh_token":
		s.refreshGrant(w, r)
	default:
		fail(w, "unsupported_grant_type", "grant type not supported")
	}
}

// clientCreds returns client_id and client_secret from the form, or from a
// Basic header (documented for refresh, protocol.md §9).
func clientCreds(r *http.Request) (id, secret string) {
	id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	if bid, bsec, ok, err := basicCreds(r); ok && err == nil {
		if id == "" {
			id = bid
		}
		if secret == "" {
			secret = bsec
		}
	}
	return id, secret
}

// checkClient authenticates the app: a private client must send its
// secret; a public one must send none, since a secret is validated even
// when not required (errors.md T3). It has answered when false.
func (s *Site) checkClient(w http.ResponseWriter, r *http.Request) bool {
	id, secret := clientCreds(r)
	if !s.checkClientID(w, id) {
		return false
	}
	want := s.cfg.ClientSecret
	if (want == "" && secret != "") || subtle.ConstantTimeCompare([]byte(secret), []byte(want)) != 1 {
		s.logf("token: client secret missing or wrong")
		fail(w, "invalid_client", "invalid client credentials")
		return false
	}
	return true
}

// codeGrant exchanges an authorization code. A code is consumed by the
// first exchange attempt that names it, successful or not.
func (s *Site) codeGrant(w http.ResponseWriter, r *http.Request) {
	if !s.checkClient(w, r) {
		return
	}
	f := r.PostForm
	s.mu.Lock()
	g := s.st.codes[f.Get("code")]
	delete(s.st.codes, f.Get("code"))
	s.mu.Unlock()
	switch {
	case g == nil || !s.now().Before(g.expires):
		fail(w, "invalid_grant", "expired authorization code") // [UNCONFIRMED] text, errors.md T1
		return
	case f.Get("redirect_uri") != g.redirectURI:
		fail(w, "redirect_uri_mismatch", "redirect_uri must match configuration")
		return
	case g.challenge != "" && !pkce.Verify(f.Get("code_verifier"), g.challenge):
		fail(w, "invalid_grant", "invalid code verifier")
		return
	}
	if g.user == nil && !s.checkGuestToken(w, r, g) {
		return
	}
	s.mu.Lock()
	resp := s.issueTokens(r, g.user, g.clientID, g.scope, g.uvid, s.st.newFamily(), true)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, resp)
}

// refreshGrant serves grant_type=refresh_token, with rotation and reuse
// detection when Config.RotateRefreshTokens is set (protocol.md §9).
func (s *Site) refreshGrant(w http.ResponseWriter, r *http.Request) {
	if !s.checkClient(w, r) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.st.tokens[r.PostForm.Get("refresh_token")]
	switch {
	case t == nil || !t.refresh || t.revoked:
		fail(w, "invalid_grant", "expired access/refresh token")
		return
	case t.rotated:
		s.logf("token: rotated refresh token reused: revoking its family")
		t.fam.revoke()
		fail(w, "invalid_grant", "expired access/refresh token") // [UNCONFIRMED] text, errors.md T7
		return
	case !t.expires.IsZero() && !s.now().Before(t.expires):
		fail(w, "invalid_grant", "expired access/refresh token")
		return
	case t.user != nil && t.user.Inactive:
		fail(w, "invalid_grant", "authentication failure") // errors.md T6
		return
	}
	resp := s.issueTokens(r, t.user, t.clientID, t.scope, t.uvid, t.fam, s.cfg.RotateRefreshTokens)
	if s.cfg.RotateRefreshTokens {
		t.rotated = true
	}
	writeJSON(w, http.StatusOK, resp)
}

func hasScope(scope, want string) bool {
	for _, s := range strings.Fields(scope) {
		if s == want {
			return true
		}
	}
	return false
}
