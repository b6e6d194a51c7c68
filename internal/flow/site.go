package flow

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// Endpoint paths under a site URL (protocol.md §0).
const (
	PathAuthorize  = "/services/oauth2/authorize"
	PathToken      = "/services/oauth2/token"
	PathEcho       = "/services/oauth2/echo"
	PathUserinfo   = "/services/oauth2/userinfo"
	PathRevoke     = "/services/oauth2/revoke"
	PathIntrospect = "/services/oauth2/introspect"
)

// ParseSite validates an Experience Cloud site URL and returns it without a
// trailing slash, query or fragment. HTTPS is required except for loopback
// hosts (the simulator): an http-to-https redirect would turn the POST into a
// GET (errors.md A15).
func ParseSite(raw string) (*url.URL, error) { return ParseSiteNamed("--site", raw) }

// ParseSiteNamed is [ParseSite] with the input named what in messages
// ("site" for a profile key, say).
func ParseSiteNamed(what, raw string) (*url.URL, error) {
	if raw == "" {
		return nil, usageErr(what + " is required (the Experience Cloud site URL, e.g. https://acme.my.site.com/shop)")
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, usageErr(what + " must be an absolute https:// URL such as https://acme.my.site.com/shop")
	}
	if err := CheckScheme(what, u); err != nil {
		return nil, err
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, usageErr(what + " must not have a query or fragment: give the site URL with its prefix only, e.g. https://acme.my.site.com/shop")
	}
	if u.User != nil {
		return nil, usageErr(what + " must not carry user information")
	}
	if strings.Contains(u.Path, "/s/") || strings.HasSuffix(u.Path, "/s") {
		return nil, usageErr(what + " must not include the /s/ page path: use the site URL with its prefix only, e.g. https://acme.my.site.com/shop")
	}
	host := strings.ToLower(u.Hostname())
	if host == "login.salesforce.com" || host == "test.salesforce.com" {
		return nil, usageErr(what + " must be the Experience Cloud site URL (https://host[/prefix]), not " + host)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath, u.RawQuery, u.Fragment, u.RawFragment = "", "", "", ""
	return u, nil
}

// CheckScheme refuses plain http:// for anything but a loopback host; what
// names the input in the message ("--site", "--redirect-uri", or a URL the
// site sent). An http-to-https redirect would turn the POST into a GET
// (errors.md A15).
func CheckScheme(what string, u *url.URL) error {
	if u.Scheme == "https" {
		return nil
	}
	if u.Scheme == "http" && IsLoopback(u.Hostname()) {
		return nil
	}
	return &Error{Kind: KindUsage,
		Description: fmt.Sprintf("%s %s must use https:// (http:// is allowed only for loopback hosts)", what, u.Redacted()),
		Advice:      what + " must start with https://; an http-to-https redirect turns the POST into a GET"}
}

// IsLoopback reports whether host is localhost or a loopback IP address.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Endpoint joins a site (or community) URL and an endpoint path.
func Endpoint(base *url.URL, path string) string {
	u := *base
	u.Path = strings.TrimRight(u.Path, "/") + path
	u.RawPath, u.RawQuery, u.Fragment = "", "", ""
	return u.String()
}

// DefaultRedirectURI is the callback the guide registers: the site's echo
// endpoint (protocol.md §3).
func DefaultRedirectURI(site *url.URL) string { return Endpoint(site, PathEcho) }

// sameOrigin reports whether a and b share scheme and host (with port).
func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Host, b.Host)
}
