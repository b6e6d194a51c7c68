package sim

import "net/http"

const (
	flowPasswordless = "passwordless"
	flowRegistration = "registration"
)

type otp struct{}
type registration struct{}

func (s *Site) otpLogin(w http.ResponseWriter, r *http.Request, a *authReq, flow string) bool {
	fail(w, "invalid_request", "not implemented")
	return false
}

func (s *Site) guestAuthorize(w http.ResponseWriter, r *http.Request, a *authReq) bool {
	fail(w, "invalid_request", "guest flow not enabled")
	return false
}

func (s *Site) linkUVID(w http.ResponseWriter, r *http.Request, a *authReq) bool { return true }

func (s *Site) browserAuthorize(w http.ResponseWriter, r *http.Request) {
	fail(w, "unsupported_response_type", "response type not supported")
}

func (s *Site) routeMore(rest string) (string, handlerFunc) { return "", nil }

func (s *Site) checkGuestToken(w http.ResponseWriter, r *http.Request, g *grant) bool {
	fail(w, "unknown_error", "guest token request needs Uvid-Hint and Auth-Request-Type headers")
	return false
}

// BadRecaptcha is the one reCAPTCHA token the site rejects.
const BadRecaptcha = "bad-recaptcha"
