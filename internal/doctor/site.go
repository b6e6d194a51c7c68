package doctor

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/sfecho/sfecho/internal/flow"
)

// checkEcho judges the first request's answer: the echo endpoint must hand
// back the redirect's parameters as JSON (protocol.md §3).
func (r *runner) checkEcho(ep echoProbe) {
	a := ep.ans
	switch {
	case a.status() >= 500 || a.status() == http.StatusTooManyRequests:
		r.fail(CheckEcho, flow.KindNetwork, "N6", fmt.Sprintf("the echo endpoint answered %d", a.status()),
			"<status>", fmt.Sprint(a.status()))
	case a.status() == http.StatusOK && a.isJSON():
		var m map[string]any
		if jsonObject(a.body, &m) && m["code"] == ep.code {
			r.pass(CheckEcho, ep.url+" answers the redirect's parameters as JSON")
			return
		}
		r.unknown(CheckEcho, "", ep.url+" answers JSON, but not the parameters it was given")
	case a.status() == http.StatusNotFound || a.isHTML():
		r.fail(CheckEcho, flow.KindSetup, "E4", fmt.Sprintf("no echo endpoint at %s (%d %s)", ep.url, a.status(), a.mediaType()),
			"<url>", ep.url)
	default:
		r.unknown(CheckEcho, "", fmt.Sprintf("%s answered %d %s", ep.url, a.status(), clean(a.mediaType())))
	}
}

// checkCORS asks the echo endpoint as a single-page app on Options.Origin
// would, and checks Access-Control-Allow-Origin (errors.md B5).
func (r *runner) checkCORS(ctx context.Context) {
	target := flow.DefaultRedirectURI(r.site) + "?state=" + randHex(8)
	a := r.get(ctx, target, http.Header{"Origin": {r.o.Origin}, "Accept": {"application/json"}})
	if a.err != nil {
		r.transportFailure(CheckCORS, a.err)
		return
	}
	acao := a.resp.Header.Get("Access-Control-Allow-Origin")
	switch {
	case a.status() == http.StatusNotFound:
		r.unknown(CheckCORS, "", "no echo endpoint to ask")
	case acao == r.o.Origin || acao == "*":
		r.pass(CheckCORS, "the echo endpoint allows "+r.o.Origin+" (Access-Control-Allow-Origin: "+clean(acao)+")")
	case acao == "":
		r.fail(CheckCORS, flow.KindSetup, "B5", fmt.Sprintf("the echo endpoint does not allow %s (%d, no Access-Control-Allow-Origin)",
			r.o.Origin, a.status()))
	default:
		r.fail(CheckCORS, flow.KindSetup, "B5", "the echo endpoint allows "+clean(acao)+", not "+r.o.Origin)
	}
}

// checkDiscovery fetches the site's OpenID configuration (protocol.md §9)
// and says which endpoints it names. LWR sites created after Winter '23
// serve it under <prefix>vforcesite (protocol.md §0), tried second.
func (r *runner) checkDiscovery(ctx context.Context) {
	const path = "/.well-known/openid-configuration"
	target := flow.Endpoint(r.site, path)
	a := r.get(ctx, target, http.Header{"Accept": {"application/json"}})
	where := ""
	if a.err == nil && a.status() != http.StatusOK && r.site.Path != "" {
		lwr := *r.site
		lwr.Path += "vforcesite"
		if b := r.get(ctx, flow.Endpoint(&lwr, path), http.Header{"Accept": {"application/json"}}); b.status() == http.StatusOK {
			a, where = b, " (at "+lwr.Path+": an LWR site)"
		}
	}
	var doc map[string]any
	switch {
	case a.err != nil:
		r.transportFailure(CheckDiscovery, a.err)
	case a.status() >= 500:
		r.fail(CheckDiscovery, flow.KindNetwork, "N6", fmt.Sprintf("%s answered %d", target, a.status()),
			"<status>", fmt.Sprint(a.status()))
	case a.status() == http.StatusOK && jsonObject(a.body, &doc) && doc["issuer"] != nil:
		r.pass(CheckDiscovery, "issuer "+clean(fmt.Sprint(doc["issuer"]))+where+"; names "+endpointsNamed(doc))
	default:
		r.fail(CheckDiscovery, flow.KindSetup, "N2", fmt.Sprintf("no OpenID configuration at %s (%d %s)", target, a.status(),
			clean(a.mediaType())))
	}
}

// endpointsNamed lists the endpoints a discovery document names.
func endpointsNamed(doc map[string]any) string {
	var have, lack []string
	for _, k := range []struct{ key, name string }{
		{"authorization_endpoint", "authorize"}, {"token_endpoint", "token"}, {"userinfo_endpoint", "userinfo"},
		{"revocation_endpoint", "revoke"}, {"introspection_endpoint", "introspect"}, {"jwks_uri", "keys"},
	} {
		if s, ok := doc[k.key].(string); ok && s != "" {
			have = append(have, k.name)
		} else {
			lack = append(lack, k.name)
		}
	}
	s := strings.Join(have, ", ")
	if len(lack) > 0 {
		s += " (not " + strings.Join(lack, ", ") + ")"
	}
	return s
}
