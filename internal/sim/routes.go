package sim

import "strings"

// routeMore maps the endpoints beyond the core OAuth five.
func (s *Site) routeMore(rest string) (string, handlerFunc) {
	switch rest {
	case "/services/auth/headless/init/passwordless/login":
		return EndpointPasswordless, s.initPasswordless
	case "/services/auth/headless/init/registration":
		return EndpointRegistration, s.initRegistration
	case "/services/auth/headless/forgot_password":
		return EndpointForgot, s.forgotPassword
	}
	if strings.HasPrefix(rest, "/id/") {
		return "", nil
	}
	return "", nil
}
