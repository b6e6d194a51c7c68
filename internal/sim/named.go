package sim

import (
	"crypto/subtle"
	"errors"
	"net/http"
)

// namedUser checks username/password credentials (protocol.md §1, §8): a
// Basic header, or username (or login_hint) and password form fields. With
// CredentialsInBody a Basic header is not taken as headless. A UVID hint,
// in the Uvid-Hint header or a uvid_hint field, links a guest context (§7).
func (s *Site) namedUser(w http.ResponseWriter, r *http.Request, a *authReq) bool {
	name, pw, hasBasic, err := basicCreds(r)
	if hasBasic && s.cfg.CredentialsInBody {
		s.notHeadless(w, r, "Basic credentials while the POST-body setting is on")
		return false
	}
	switch {
	case errors.Is(err, errBasicEncoding):
		s.edgeError(w)
		return false
	case errors.Is(err, errBadBasic):
		fail(w, "invalid_basic_auth_header", "invalid basic auth header")
		return false
	}
	hint := ""
	if !hasBasic {
		name, pw = r.PostForm.Get("username"), r.PostForm.Get("password")
		if name == "" {
			hint = r.PostForm.Get("login_hint")
		}
	}
	if name == "" && hint == "" {
		if s.cfg.CredentialsInBody {
			fail(w, "invalid_request", "missing username or password")
		} else {
			fail(w, "invalid_basic_auth_header", "missing or invalid basic auth header")
		}
		return false
	}
	if !s.linkUVID(w, r, a) {
		return false
	}
	m, code, desc := s.checkPassword(name, hint, pw)
	if m == nil {
		fail(w, code, desc)
		return false
	}
	a.user = m
	return true
}

// checkPassword finds the user by username, or by any identifier when a
// login_hint is used and discovery is on, and checks the password. It
// returns the member, or an OAuth error code and description.
func (s *Site) checkPassword(name, hint, pw string) (*member, string, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var m *member
	switch {
	case name != "":
		m = s.st.user(name)
	case s.cfg.Discovery:
		m = s.st.discover(hint)
	default:
		m = s.st.user(hint)
	}
	if m == nil || subtle.ConstantTimeCompare([]byte(m.Password), []byte(pw)) != 1 {
		if m != nil {
			s.count.failedLogins.Add(1)
		}
		s.logf("authorize: authentication failure")
		return nil, "invalid_grant", "authentication failure"
	}
	if m.Inactive {
		return nil, "inactive_user", "user is inactive"
	}
	return m, "", ""
}
