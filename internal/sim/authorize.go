package sim

import (
	"net/http"
	"strings"
)

// Auth-Request-Type values (protocol.md §1, §4, §5, §7), compared
// case-insensitively.
const (
	typeNamedUser    = "named-user"
	typePasswordless = "passwordless-login"
	typeRegistration = "user-registration"
	typeGuest        = "guest"
)

// authReq is a validated headless authorize request.
type authReq struct {
	clientID, redirectURI, state, scope, challenge string
	user                                           *member
	uvid                                           string
}

// authorize serves {prefix}/services/oauth2/authorize: the headless
// code_credentials flow (POST), and the browser code flow (response_type=code).
func (s *Site) authorize(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET, POST")
		writeText(w, http.StatusMethodNotAllowed, "Method Not Allowed")
		return
	}
	if err := r.ParseForm(); err != nil {
		fail(w, "invalid_request", "malformed request")
		return
	}
	switch rt := r.Form.Get("response_type"); rt {
	case "code":
		s.browserAuthorize(w, r)
		return
	case "code_credentials":
	default:
		s.logf("authorize: response_type %q refused", rt)
		fail(w, "unsupported_response_type", "response type not supported")
		return
	}
	kind := strings.ToLower(strings.TrimSpace(r.Header.Get("Auth-Request-Type")))
	if kind == "" {
		s.notHeadless(w, r, "no Auth-Request-Type header")
		return
	}
	a, ok := s.checkRequest(w, r, kind)
	if !ok {
		return
	}
	if !s.authenticate(w, r, kind, a) {
		return
	}
	s.issueCode(w, r, a)
}

// checkRequest runs the checks every Auth-Request-Type shares, in the order
// a real site would meet them: request type, method, org/app switch,
// client_id, redirect_uri, scope, PKCE. It has answered when ok is false.
func (s *Site) checkRequest(w http.ResponseWriter, r *http.Request, kind string) (a *authReq, ok bool) {
	switch kind {
	case typeNamedUser, typePasswordless, typeRegistration, typeGuest:
	default:
		// [3P S26]: "Guest-User" gets "invalid headers".
		fail(w, "invalid_request", "invalid headers")
		return nil, false
	}
	if r.Method == http.MethodGet && s.cfg.CredentialsInBody {
		fail(w, "invalid_request", "Must use HTTP POST") // [DOC S12]: GET refused
		return nil, false
	}
	if s.cfg.FlowDisabled {
		s.flowDisabled(w, r)
		return nil, false
	}
	f := r.Form
	a = &authReq{clientID: f.Get("client_id"), redirectURI: f.Get("redirect_uri"), state: f.Get("state"),
		challenge: f.Get("code_challenge")}
	if !s.checkClientID(w, a.clientID) || !s.checkRedirect(w, r, a.redirectURI) {
		return nil, false
	}
	scope, ok := s.grantScope(f.Get("scope"))
	if !ok {
		s.notHeadless(w, r, "scope not selected on the app")
		return nil, false
	}
	a.scope = scope
	if desc := s.checkChallenge(a.challenge, f.Get("code_challenge_method")); desc != "" {
		fail(w, "invalid_request", desc)
		return nil, false
	}
	return a, true
}

// flowDisabled answers as Config.FlowDisabledError says.
func (s *Site) flowDisabled(w http.ResponseWriter, r *http.Request) {
	switch s.cfg.FlowDisabledError {
	case "":
		fail(w, "invalid_client", FlowDisabledDescription)
	case FlowDisabledHTML:
		s.notHeadless(w, r, "code and credentials flow disabled")
	case "unsupported_response_type":
		fail(w, "unsupported_response_type", "response type not supported")
	default:
		fail(w, s.cfg.FlowDisabledError, "code and credentials flow not enabled")
	}
}

func (s *Site) checkClientID(w http.ResponseWriter, id string) bool {
	if id == "" || id != s.cfg.ClientID {
		s.logf("client_id %q unknown", id)
		fail(w, "invalid_client_id", "client identifier invalid")
		return false
	}
	return true
}

func (s *Site) checkRedirect(w http.ResponseWriter, r *http.Request, uri string) bool {
	if uri == "" {
		fail(w, "redirect_uri_missing", "redirect_uri must match configuration")
		return false
	}
	if !s.redirectAllowed(r, uri) {
		s.logf("redirect_uri %q is not registered", uri)
		fail(w, "redirect_uri_mismatch", "redirect_uri must match configuration")
		return false
	}
	return true
}

// grantScope checks a space-separated scope request against the app's
// scopes and returns the granted scope: the request, or every app scope when
// none was asked for (as Salesforce grants).
func (s *Site) grantScope(requested string) (string, bool) {
	asked := strings.Fields(requested)
	if len(asked) == 0 {
		return strings.Join(s.cfg.Scopes, " "), true
	}
	for _, sc := range asked {
		if !contains(s.cfg.Scopes, sc) {
			return "", false
		}
	}
	return strings.Join(asked, " "), true
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// checkChallenge validates the PKCE parameters and returns an
// error_description, or "". Only S256 exists (protocol.md §1): a method, if
// sent, must say so, and the challenge must be 43 base64url characters.
func (s *Site) checkChallenge(challenge, method string) string {
	if challenge == "" {
		if s.cfg.RequirePKCE {
			return "missing required code challenge"
		}
		return ""
	}
	if method != "" && method != "S256" {
		return "unsupported code challenge method"
	}
	if len(challenge) != 43 || strings.Trim(challenge, b64url) != "" {
		return "invalid code challenge"
	}
	return ""
}

const b64url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// authenticate checks the credentials of the request's type and sets a.user
// (and a.uvid). It has answered when it returns false.
func (s *Site) authenticate(w http.ResponseWriter, r *http.Request, kind string, a *authReq) bool {
	switch kind {
	case typeNamedUser:
		return s.namedUser(w, r, a)
	case typePasswordless:
		return s.otpLogin(w, r, a, flowPasswordless)
	case typeRegistration:
		return s.otpLogin(w, r, a, flowRegistration)
	default:
		return s.guestAuthorize(w, r, a)
	}
}

// issueCode stores a fresh code and answers the 302 (protocol.md §1).
func (s *Site) issueCode(w http.ResponseWriter, r *http.Request, a *authReq) {
	code := newCode()
	now := s.now()
	s.mu.Lock()
	for c, g := range s.st.codes {
		if !now.Before(g.expires) {
			delete(s.st.codes, c)
		}
	}
	s.st.codes[code] = &grant{clientID: a.clientID, redirectURI: a.redirectURI, challenge: a.challenge,
		scope: a.scope, user: a.user, uvid: a.uvid, expires: now.Add(s.cfg.CodeTTL)}
	s.mu.Unlock()
	who := "guest"
	if a.user != nil {
		who = a.user.Username
	}
	s.logf("authorize: code issued for %s", who)
	redirect(w, withQuery(a.redirectURI,
		param{"code", code},
		param{"sfdc_community_url", s.siteURL(r)},
		param{"sfdc_community_id", CommunityID},
		param{"state", a.state}))
}
