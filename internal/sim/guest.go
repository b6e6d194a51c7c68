package sim

import (
	"net/http"
	"regexp"
	"strings"
)

// uuidV4 matches a version-4 UUID, either case.
var uuidV4 = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-4[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$`)

// uvidHint returns the UVID hint of a guest authorize request: the
// Uvid-Hint header, else the uvid_hint body field ([3P S26, S28];
// protocol.md §7).
func uvidHint(r *http.Request) string {
	if h := strings.TrimSpace(r.Header.Get("Uvid-Hint")); h != "" {
		return h
	}
	return strings.TrimSpace(r.PostForm.Get("uvid_hint"))
}

// parseUVID resolves "UVID <v4 uuid>" or "JWT <guest access token>" to the
// UVID, or "" when malformed or when the JWT is not a live guest or
// UVID-linked token of this site ([3P S26, S28]; DOC S46 says a JWT-based
// access token is checked).
func (s *Site) parseUVID(hint string) string {
	kind, v, _ := strings.Cut(hint, " ")
	v = strings.TrimSpace(v)
	switch strings.ToUpper(kind) {
	case "UVID":
		if uuidV4.MatchString(v) {
			return strings.ToLower(v)
		}
	case "JWT":
		return s.guestJWT(v)
	}
	return ""
}

// guestAuthorize handles Auth-Request-Type: guest (protocol.md §7). A
// missing or malformed hint is 400 invalid_request / "uvid invalid".
func (s *Site) guestAuthorize(w http.ResponseWriter, r *http.Request, a *authReq) bool {
	if !s.cfg.Guest {
		fail(w, "invalid_request", "guest flow not enabled") // errors.md A18 [3P]
		return false
	}
	a.uvid = s.parseUVID(uvidHint(r))
	if a.uvid == "" {
		fail(w, "invalid_request", "uvid invalid")
		return false
	}
	return true
}

// linkUVID records an optional guest context on a named-user, passwordless
// or registration authorize, so it carries into the login: the tokens then
// carry a "uvid" claim (JWT) and userinfo/introspect a "uvid" key. It comes
// either as the plain UUID in the uvid_hint field or as the guest's JWT
// access token in the Uvid-Hint header, never both and never with the
// guest authorize's "UVID " prefix (protocol.md §7, Question 5: "Provide
// uvidHint or uvidHintToken, not both"). Anything else is "uvid invalid".
func (s *Site) linkUVID(w http.ResponseWriter, r *http.Request, a *authReq) bool {
	body := strings.TrimSpace(r.PostForm.Get("uvid_hint"))
	header := strings.TrimSpace(r.Header.Get("Uvid-Hint"))
	switch {
	case body == "" && header == "":
		return true
	case body != "" && header != "":
		s.logf("authorize: uvid_hint and Uvid-Hint both sent")
	case body != "" && uuidV4.MatchString(body):
		a.uvid = strings.ToLower(body)
		return true
	case header != "":
		if a.uvid = s.guestJWT(header); a.uvid != "" {
			return true
		}
	}
	fail(w, "invalid_request", "uvid invalid")
	return false
}

// guestJWT returns the UVID of a live guest (or UVID-linked) JWT access
// token of this site, or "".
func (s *Site) guestJWT(tok string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.st.tokens[tok]; t != nil && t.jwt && !t.refresh && t.uvid != "" && t.live(s.now()) {
		return t.uvid
	}
	return ""
}

// checkGuestToken enforces the guest token step: Auth-Request-Type guest
// and the bare UVID in Uvid-Hint ([DOC S46]: without them "unknown_error";
// the unprefixed value is [3P S26, S28]).
func (s *Site) checkGuestToken(w http.ResponseWriter, r *http.Request, g *grant) bool {
	kind := strings.ToLower(strings.TrimSpace(r.Header.Get("Auth-Request-Type")))
	hint := strings.TrimSpace(r.Header.Get("Uvid-Hint"))
	if kind != typeGuest || hint == "" {
		fail(w, "unknown_error", "unknown error")
		return false
	}
	if !strings.EqualFold(hint, g.uvid) {
		fail(w, "invalid_request", "uvid invalid")
		return false
	}
	return true
}
