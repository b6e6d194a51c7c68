package doctor

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/sfecho/sfecho/internal/flow"
)

// connTrace records how the first request reached the site: the name
// lookup, the TCP connection and the TLS handshake.
type connTrace struct {
	mu         sync.Mutex
	dnsDone    bool
	dnsAddrs   []string
	dnsErr     error
	connected  string // address of the connection made
	connectErr error
	connectTo  string
	tlsDone    bool
	tlsState   tls.ConnectionState
	tlsErr     error
}

func (t *connTrace) hooks() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		DNSDone: func(info httptrace.DNSDoneInfo) {
			t.mu.Lock()
			defer t.mu.Unlock()
			t.dnsDone, t.dnsErr = true, info.Err
			for _, a := range info.Addrs {
				t.dnsAddrs = append(t.dnsAddrs, a.String())
			}
		},
		ConnectDone: func(_, addr string, err error) {
			t.mu.Lock()
			defer t.mu.Unlock()
			t.connectTo = addr
			if err == nil {
				t.connected = addr
			} else if t.connected == "" {
				t.connectErr = err
			}
		},
		TLSHandshakeDone: func(cs tls.ConnectionState, err error) {
			t.mu.Lock()
			defer t.mu.Unlock()
			t.tlsDone, t.tlsState, t.tlsErr = true, cs, err
		},
	}
}

// echoProbe is the code the echo request carries; the echo endpoint should
// hand it back.
type echoProbe struct {
	url, code string
	ans       answer
}

// checkConnection sends the first request, GET {site}/services/oauth2/echo
// with a made-up code and state, and reports name lookup, connection, TLS
// and HTTP/2 from how it went.
func (r *runner) checkConnection(ctx context.Context) echoProbe {
	ep := echoProbe{url: flow.DefaultRedirectURI(r.site), code: "sfecho-doctor-" + randHex(8)}
	tr := &connTrace{}
	target := ep.url + "?code=" + ep.code + "&state=" + randHex(8)
	hdr := http.Header{"Accept": {"application/json"}}
	ep.ans = r.get(httptrace.WithClientTrace(ctx, tr.hooks()), target, hdr)
	tr.mu.Lock()
	defer tr.mu.Unlock()
	r.checkDNS(tr)
	r.checkTCP(tr)
	r.checkTLS(tr)
	r.checkHTTP2(tr, ep.ans)
	r.reached = ep.ans.err == nil
	switch {
	case r.reached:
	case r.failedAlready():
		r.notReached(CheckEcho)
	default:
		r.transportFailure(CheckEcho, ep.ans.err)
	}
	return ep
}

// failedAlready reports whether a check has failed so far.
func (r *runner) failedAlready() bool {
	for _, c := range r.checks {
		if c.Status == Failed {
			return true
		}
	}
	return false
}

func (r *runner) checkDNS(tr *connTrace) {
	host := r.site.Hostname()
	switch {
	case net.ParseIP(host) != nil:
		r.pass(CheckDNS, host+" is an IP address: no lookup")
	case tr.dnsDone && tr.dnsErr != nil:
		r.fail(CheckDNS, flow.KindNetwork, "N5", "cannot resolve "+host+": "+clean(dnsReason(tr.dnsErr)), "<host>", host)
	case tr.dnsDone:
		r.pass(CheckDNS, host+" resolves to "+strings.Join(tr.dnsAddrs, ", "))
	case tr.connected != "":
		r.pass(CheckDNS, "no lookup here: the connection went to "+tr.connected+" (a proxy?)")
	default:
		r.unknown(CheckDNS, "", "no lookup was made")
	}
}

func dnsReason(err error) string {
	var de *net.DNSError
	if errors.As(err, &de) {
		if de.IsNotFound {
			return "no such host"
		}
		return de.Err
	}
	return err.Error()
}

func (r *runner) checkTCP(tr *connTrace) {
	switch {
	case tr.connected != "":
		r.pass(CheckTCP, "connected to "+tr.connected)
	case tr.connectErr != nil:
		r.fail(CheckTCP, flow.KindNetwork, "N5", "cannot connect to "+tr.connectTo+": "+clean(opReason(tr.connectErr)),
			"<host>", r.site.Host)
	default:
		r.unknown(CheckTCP, "", "no connection was made")
	}
}

// opReason drops the "dial tcp 1.2.3.4:443:" prefix of a net.OpError.
func opReason(err error) string {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return oe.Err.Error()
	}
	return err.Error()
}

func (r *runner) checkTLS(tr *connTrace) {
	switch {
	case r.site.Scheme == "http":
		r.pass(CheckTLS, "not used: plain http:// is allowed for loopback hosts only (the simulator)")
	case tr.tlsErr != nil:
		r.tlsFailure(tr.tlsErr)
	case tr.tlsDone:
		r.tlsPassed(tr.tlsState)
	default:
		r.unknown(CheckTLS, "", "no TLS handshake was made")
	}
}

func (r *runner) tlsFailure(err error) {
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var certErr x509.CertificateInvalidError
	var verifyErr *tls.CertificateVerificationError
	if errors.As(err, &unknownCA) || errors.As(err, &hostErr) || errors.As(err, &certErr) || errors.As(err, &verifyErr) {
		r.fail(CheckTLS, flow.KindNetwork, "N4", "certificate not trusted: "+clean(err.Error()))
		return
	}
	r.fail(CheckTLS, flow.KindNetwork, "N5", "TLS handshake failed: "+clean(err.Error())+" (is the port plain http?)",
		"<host>", r.site.Host)
}

func (r *runner) tlsPassed(cs tls.ConnectionState) {
	d := tls.VersionName(cs.Version)
	if len(cs.PeerCertificates) > 0 {
		leaf := cs.PeerCertificates[0]
		left := leaf.NotAfter.Sub(r.now())
		d += fmt.Sprintf("; certificate for %s from %s, valid until %s (%s)", clean(certName(leaf, r.site.Hostname())),
			clean(leaf.Issuer.CommonName), leaf.NotAfter.UTC().Format("2006-01-02"), daysLeft(left))
		if left <= 0 {
			r.fail(CheckTLS, flow.KindNetwork, "N4", d+": expired")
			return
		}
	}
	if r.o.Insecure {
		d += "; NOT verified (--insecure)"
	}
	r.pass(CheckTLS, d)
}

// certName is the name the certificate is for: the site's host when it
// matches, else its first name.
func certName(c *x509.Certificate, host string) string {
	if c.VerifyHostname(host) == nil {
		return host
	}
	if len(c.DNSNames) > 0 {
		return c.DNSNames[0]
	}
	if c.Subject.CommonName != "" {
		return c.Subject.CommonName
	}
	return "(no name)"
}

func daysLeft(d time.Duration) string {
	switch days := int(d.Hours() / 24); {
	case d <= 0:
		return "expired"
	case days == 0:
		return "less than a day left"
	case days == 1:
		return "1 day left"
	default:
		return fmt.Sprintf("%d days left", days)
	}
}

func (r *runner) checkHTTP2(tr *connTrace, a answer) {
	switch {
	case r.site.Scheme == "http":
		r.pass(CheckHTTP2, "not applicable without TLS")
	case a.resp != nil && a.resp.ProtoMajor == 2, tr.tlsDone && tr.tlsState.NegotiatedProtocol == "h2":
		r.pass(CheckHTTP2, "offered (ALPN h2)")
	case tr.tlsDone && tr.tlsErr == nil:
		r.unknown(CheckHTTP2, "A17", "not offered: the connection is HTTP/1.1 (a proxy in between?); the guest flow is reported to fail without HTTP/2")
	default:
		r.unknown(CheckHTTP2, "", "no TLS connection was made")
	}
}

// transportFailure reports a request that got no answer.
func (r *runner) transportFailure(name string, err error) {
	var ne net.Error
	switch {
	case errors.Is(err, context.Canceled):
		r.unknown(name, "", "interrupted")
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		r.fail(name, flow.KindNetwork, "N6", "no answer in time from "+r.site.Host, "<status>", "nothing")
	default:
		r.fail(name, flow.KindNetwork, "N5", "no answer from "+r.site.Host+": "+clean(opReason(unwrapURL(err))),
			"<host>", r.site.Host)
	}
}

// unwrapURL drops a *url.Error's URL, which may carry a query.
func unwrapURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

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
