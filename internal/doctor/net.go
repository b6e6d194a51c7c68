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
