package sim

import (
	"net/http"
	"net/url"
	"strings"
)

// redirectAllowed reports whether uri is a registered callback: an exact
// byte match, or a loopback http URI matching a registered one on any port
// (same host name, path and query; protocol.md §10, errors.md B4). With
// nothing registered, only the site's own echo URL is.
func (s *Site) redirectAllowed(r *http.Request, uri string) bool {
	reg := s.cfg.RedirectURIs
	if len(reg) == 0 {
		reg = []string{SiteURLToken + "/services/oauth2/echo"}
	}
	for _, want := range reg {
		want = strings.Replace(want, SiteURLToken, s.siteURL(r), 1)
		if uri == want || loopbackMatch(want, uri) {
			return true
		}
	}
	return false
}

func loopbackMatch(registered, got string) bool {
	a, err1 := url.Parse(registered)
	b, err2 := url.Parse(got)
	if err1 != nil || err2 != nil || a.Scheme != "http" || b.Scheme != "http" {
		return false
	}
	if !isLoopback(a.Hostname()) || a.Hostname() != b.Hostname() {
		return false
	}
	return a.EscapedPath() == b.EscapedPath() && a.RawQuery == b.RawQuery && b.User == nil && b.Fragment == ""
}

func isLoopback(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

// param is one query parameter of a redirect, in order.
type param struct{ key, value string }

// withQuery appends params to uri's query string, in the given order,
// skipping empty values. Values are query-escaped, so a code's "==" becomes
// "%3D%3D" as in protocol.md TV12.
func withQuery(uri string, params ...param) string {
	var b strings.Builder
	b.WriteString(uri)
	sep := "?"
	if strings.Contains(uri, "?") {
		sep = "&"
	}
	for _, p := range params {
		if p.value == "" {
			continue
		}
		b.WriteString(sep + url.QueryEscape(p.key) + "=" + url.QueryEscape(p.value))
		sep = "&"
	}
	return b.String()
}

// redirect answers 302 to loc with no body, so a client that stops at the
// 302 can reuse the connection.
func redirect(w http.ResponseWriter, loc string) {
	w.Header().Set("Location", loc)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusFound)
}
