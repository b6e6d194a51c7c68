package sim

import "strings"

// routeMore maps the endpoints beyond the core OAuth five.
func (s *Site) routeMore(rest string) (string, handlerFunc) {
	switch rest {
	case "/services/oauth2/introspect":
		if s.cfg.IntrospectDisabled {
			return "", nil
		}
		return EndpointIntrospect, s.introspect
	case "/services/auth/headless/init/passwordless/login":
		return EndpointPasswordless, s.initPasswordless
	case "/services/auth/headless/init/registration":
		return EndpointRegistration, s.initRegistration
	case "/services/auth/headless/forgot_password":
		return EndpointForgot, s.forgotPassword
	case "/.well-known/openid-configuration":
		return EndpointDiscovery, s.discovery
	case "/id/keys":
		return EndpointKeys, s.keys
	}
	if strings.HasPrefix(rest, "/id/") {
		return EndpointIdentity, s.identity
	}
	return "", nil
}
