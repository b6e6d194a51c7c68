package sim

import (
	"crypto/subtle"
	"net/http"
	"strings"
)

// introspection is the RFC 7662 answer with Salesforce's fields
// (protocol.md §9, S45). An inactive token is just {"active":false}.
type introspection struct {
	Active    bool   `json:"active"`
	Scope     string `json:"scope,omitempty"`
	ClientID  string `json:"client_id,omitempty"`
	Username  string `json:"username,omitempty"`
	Sub       string `json:"sub,omitempty"`
	TokenType string `json:"token_type,omitempty"`
	Exp       int64  `json:"exp,omitempty"`
	Iat       int64  `json:"iat,omitempty"`
	Nbf       int64  `json:"nbf,omitempty"`
	UVID      string `json:"uvid,omitempty"`
}

// introspect serves POST {prefix}/services/oauth2/introspect. The app
// authenticates with client_id (+ client_secret when private) in the body
// or a Basic header; a public client without a secret is accepted
// [UNCONFIRMED, protocol.md §9]. Bad client credentials get 401
// invalid_client (RFC 7662 §2.3). Tokens of other apps, and expired,
// revoked or rotated ones, are inactive.
func (s *Site) introspect(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		writeText(w, http.StatusMethodNotAllowed, "Method Not Allowed")
		return
	}
	if err := r.ParseForm(); err != nil {
		fail(w, "invalid_request", "malformed request")
		return
	}
	id, secret := clientCreds(r)
	if id == "" || id != s.cfg.ClientID || subtle.ConstantTimeCompare([]byte(secret), []byte(s.cfg.ClientSecret)) != 1 {
		w.Header().Set("WWW-Authenticate", `Basic realm="introspect"`)
		failStatus(w, http.StatusUnauthorized, "invalid_client", "invalid client credentials")
		return
	}
	v := r.PostForm.Get("token")
	if v == "" {
		fail(w, "invalid_request", "missing token")
		return
	}
	writeJSON(w, http.StatusOK, s.inspect(r, v, id))
}

func (s *Site) inspect(r *http.Request, value, clientID string) introspection {
	s.mu.Lock()
	t := s.st.tokens[value]
	if t == nil || t.clientID != clientID || !t.live(s.now()) {
		s.mu.Unlock()
		return introspection{}
	}
	v := t.view()
	s.mu.Unlock()
	in := introspection{Active: true, Scope: v.scope, ClientID: v.clientID, Username: "guest",
		Sub: s.siteURL(r) + "/id/" + OrgID + "/" + v.userID, TokenType: "access_token",
		Iat: v.issued.Unix(), Nbf: v.issued.Unix(), UVID: v.uvid}
	if v.user != nil {
		in.Username = v.user.Username
	}
	if v.refresh {
		in.TokenType = "refresh_token"
	}
	if !v.expires.IsZero() {
		in.Exp = v.expires.Unix()
	}
	return in
}

// identity serves the identity URL {prefix}/id/<org>/<user> with the
// token's user; another user's ID gets 403 Bad_Id.
func (s *Site) identity(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		writeText(w, http.StatusMethodNotAllowed, "Method Not Allowed")
		return
	}
	t, ok := s.bearerToken(w, r)
	if !ok {
		return
	}
	want := "/id/" + OrgID + "/" + t.userID
	got := strings.TrimPrefix(r.URL.Path, s.cfg.PathPrefix)
	if got != want && got != "/id/"+OrgID[:15]+"/"+t.userID[:15] {
		writeText(w, http.StatusForbidden, "Bad_Id")
		return
	}
	info := s.userInfo(r, t)
	writeJSON(w, http.StatusOK, map[string]any{
		"id": info.Sub, "asserted_user": true, "user_id": info.UserID, "organization_id": OrgID,
		"username": info.PreferredUsername, "nick_name": info.Nickname, "display_name": info.Name,
		"email": info.Email, "email_verified": info.EmailVerified, "first_name": info.GivenName,
		"last_name": info.FamilyName, "mobile_phone": info.PhoneNumber, "status": map[string]any{},
		"photos": info.Photos, "urls": info.URLs, "active": true, "user_type": info.UserType,
		"language": info.Language, "locale": info.Locale, "utcOffset": info.UTCOffset,
		"last_modified_date": "2026-01-01T00:00:00.000+0000", "is_app_installed": true,
	})
}
