package sim

import "strings"

// route is one endpoint of the site: its path under the prefix, its name
// (the key of Config.Fail) and its handler.
type route struct {
	path, name string
	h          handlerFunc
}

// routes lists every endpoint the site serves at a fixed path; identity
// URLs ({site}/id/<org>/<user>) are matched by prefix in [Site.route].
func (s *Site) routes() []route {
	return []route{
		{"/services/oauth2/authorize", EndpointAuthorize, s.authorize},
		{"/services/oauth2/token", EndpointToken, s.token},
		{"/services/oauth2/echo", EndpointEcho, s.echo},
		{"/services/oauth2/userinfo", EndpointUserinfo, s.userinfo},
		{"/services/oauth2/revoke", EndpointRevoke, s.revoke},
		{"/services/oauth2/introspect", EndpointIntrospect, s.introspect},
		{"/services/auth/headless/init/passwordless/login", EndpointPasswordless, s.initPasswordless},
		{"/services/auth/headless/init/registration", EndpointRegistration, s.initRegistration},
		{"/services/auth/headless/forgot_password", EndpointForgot, s.forgotPassword},
		{"/.well-known/openid-configuration", EndpointDiscovery, s.discovery},
		{"/id/keys", EndpointKeys, s.keys},
	}
}

// route maps a request path to an endpoint name (the key of Config.Fail)
// and its handler; nil when nothing is served there.
func (s *Site) route(path string) (string, handlerFunc) {
	if name, h := s.restRoute(path); h != nil {
		return name, h
	}
	rest, ok := strings.CutPrefix(path, s.cfg.PathPrefix)
	if !ok || !strings.HasPrefix(rest, "/") {
		return "", nil
	}
	if rest == "/services/oauth2/introspect" && s.cfg.IntrospectDisabled {
		return "", nil
	}
	for _, r := range s.routes() {
		if r.path == rest {
			return r.name, r.h
		}
	}
	if strings.HasPrefix(rest, "/id/") {
		return EndpointIdentity, s.identity
	}
	return "", nil
}

// Endpoint names: the keys of Config.Fail and [Site.Fail].
const (
	EndpointAuthorize    = "authorize"
	EndpointToken        = "token"
	EndpointEcho         = "echo"
	EndpointUserinfo     = "userinfo"
	EndpointRevoke       = "revoke"
	EndpointIntrospect   = "introspect"
	EndpointIdentity     = "id" // the identity URL {site}/id/<org>/<user>
	EndpointPasswordless = "init/passwordless"
	EndpointRegistration = "init/registration"
	EndpointForgot       = "forgot_password"
	EndpointDiscovery    = "openid-configuration"
	EndpointKeys         = "keys"
	EndpointData         = "data"     // the REST API: /services/data/...
	EndpointApexREST     = "apexrest" // /services/apexrest/..., an echo
	EndpointAny          = "*"        // matches every endpoint without its own entry
)

// restRoutes are the REST API: each serves every path below its own, both
// under the prefix (the site, sfdc_community_url) and at the origin's root
// (the org, instance_url).
func (s *Site) restRoutes() []route {
	return []route{
		{"/services/data", EndpointData, s.data},
		{"/services/apexrest", EndpointApexREST, s.apexREST},
	}
}
