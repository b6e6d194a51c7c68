package sim

import (
	"errors"
	"net/http"
	"strings"
)

// otpLogin checks Basic identifier:otp for passwordless-login and
// user-registration (protocol.md §4B, §5B). Auth-Verification-Type must
// equal the init verificationmethod. A wrong OTP is 400 invalid_grant; the
// OTP survives MaxOTPAttempts wrong tries. Registration creates the user.
func (s *Site) otpLogin(w http.ResponseWriter, r *http.Request, a *authReq, flow string) bool {
	id, code, hasBasic, err := basicCreds(r)
	if errors.Is(err, errBasicEncoding) {
		s.edgeError(w)
		return false
	}
	if !hasBasic || errors.Is(err, errBadBasic) {
		fail(w, "invalid_basic_auth_header", "missing or invalid basic auth header")
		return false
	}
	if !s.linkUVID(w, r, a) {
		return false
	}
	method := strings.ToLower(strings.TrimSpace(r.Header.Get("Auth-Verification-Type")))
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.st.otps[id]
	if o != nil && o.flow != flow {
		o = nil
	}
	if o != nil && !o.used && method != o.method {
		fail(w, "invalid_request", "Auth-Verification-Type does not match the init verification method")
		return false
	}
	if desc := s.checkOTP(o, code); desc != "" {
		s.logf("authorize: %s OTP refused: %s", flow, desc)
		fail(w, "invalid_grant", desc)
		return false
	}
	if flow == flowRegistration {
		return s.createRegistered(w, o, a)
	}
	if o.user == nil || o.user.Inactive {
		o.used = true
		fail(w, "invalid_grant", "authentication failure")
		return false
	}
	o.used = true
	a.user = o.user
	return true
}

// createRegistered runs the "registration handler": the queued user
// becomes a member. Caller holds s.mu.
func (s *Site) createRegistered(w http.ResponseWriter, o *otp, a *authReq) bool {
	o.used = true
	if s.st.user(o.reg.user.Username) != nil {
		fail(w, "registration_error", duplicateUsername)
		return false
	}
	m := s.st.addUser(o.reg.user, 0)
	m.Created = s.now()
	s.count.usersCreated.Add(1)
	s.logf("registration: user %s created", m.Username)
	a.user = m
	return true
}
