package flow

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"

	"github.com/sfecho/sfecho/internal/safetext"
)

// maxBody caps every response body sfecho reads.
const maxBody = 1 << 20

// readBody reads at most maxBody bytes and closes the body, so the
// connection can be reused.
func readBody(resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
	return b, err
}

// oauthBody is Salesforce's error shape: HTTP 400 with
// {"error","error_description"} (protocol.md §11).
type oauthBody struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
	Message     string `json:"message"`
	ErrorCode   string `json:"errorCode"`
}

// transportError classifies an error from http.Client.Do (errors.md §N).
func transportError(op string, target string, err error) error {
	e := &Error{Op: op, Kind: KindNetwork, Err: err}
	host := hostOf(target)
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err // drop the URL: it may carry a query
	}
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var certErr x509.CertificateInvalidError
	var verifyErr *tls.CertificateVerificationError
	var recordErr tls.RecordHeaderError
	var dnsErr *net.DNSError
	var netErr net.Error
	switch {
	case errors.Is(err, context.Canceled):
		e.Kind, e.Description = KindUnexpected, "interrupted"
	case badLocation(err): // issue 10: net/http quotes the whole Location, code included
		e.Kind, e.Err = KindSecurity, ErrBadLocation
		e.Description, e.Advice = "the site's redirect has a Location header that is not a valid URL; not following it", adviceBadLocation
	case errors.As(err, &unknownCA), errors.As(err, &certErr), errors.As(err, &verifyErr), errors.As(err, &hostErr):
		e.Description, e.Advice = "TLS: "+netText(err), adviceTLS
	// net/http reports this one as a plain error; its text is the only mark.
	case errors.As(err, &recordErr), strings.Contains(err.Error(), "HTTP response to HTTPS client"):
		e.Description = "TLS: " + host + " did not answer TLS (is it plain http://?)"
		e.Advice = "check the scheme and port of the site URL (--site, or the saved session's)"
	case errors.As(err, &dnsErr):
		e.Description = "cannot resolve " + host
		e.Advice = "cannot reach " + host + ": check the site URL, DNS, and HTTPS_PROXY/NO_PROXY"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		e.Description = "timed out waiting for " + host
		e.Advice = "the site answered slowly or not at all: retry later (see status.salesforce.com), or raise --timeout"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET):
		e.Description = "connection to " + host + " dropped before an answer"
		e.Advice = "the connection was cut: retry; check proxies between here and the site"
	default:
		e.Description = "cannot reach " + host + ": " + netText(err)
		e.Advice = "cannot reach " + host + ": check the site URL, DNS, and HTTPS_PROXY/NO_PROXY"
	}
	return e
}

func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		return safetext.Line(u.Host)
	}
	return "the site"
}

// responseError classifies a non-success answer, following errors.md's
// order: 5xx/429, then HTML, then JSON error bodies.
func responseError(op string, resp *http.Response, body []byte) error {
	e := &Error{Op: op, Status: resp.StatusCode}
	ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		return redirectError(op, resp)
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests:
		e.Kind = KindNetwork
		e.Description = fmt.Sprintf("the site answered %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
		e.Advice = fmt.Sprintf("the site answered %d: retry later (see status.salesforce.com), or raise --timeout", resp.StatusCode)
		if b, ok := parseOAuth(body); ok && b.Error == "rate_limit_exceeded" {
			e.Code, e.Description, e.Advice = b.Error, b.Description, adviceRateLimit
		}
	case resp.StatusCode == http.StatusNotFound:
		e.Kind = KindSetup
		e.Description = "no such endpoint at " + resp.Request.URL.Host + resp.Request.URL.Path + " (404)"
		e.Advice = advicePrefix
	case ct == "text/html" && (op == OpAuthorize || op == OpAuthorizeOTP):
		e.Kind = KindSetup
		e.Description = fmt.Sprintf("the site answered an HTML page (%d) instead of a code", resp.StatusCode)
		e.Advice = adviceHTML
	case ct == "text/html":
		e.Kind = KindSetup
		e.Description = fmt.Sprintf("the site answered an HTML page (%d) instead of JSON", resp.StatusCode)
		e.Advice = advicePrefix
	default:
		if b, ok := parseOAuth(body); ok {
			e.Code, e.Description = b.code(), b.description()
			e.Kind, e.Advice = classifyOAuth(op, e.Code, e.Description)
			return e
		}
		e.Kind = KindUnexpected
		e.Description = fmt.Sprintf("unexpected answer %d (%s)", resp.StatusCode, describeContentType(ct))
		if (op == OpAuthorize || op == OpAuthorizeOTP) && (resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden) {
			// Salesforce's SDKs take any failed authorize as bad credentials
			// (protocol.md §1, [SDK S22, S48]); a bare 401/403 is that.
			e.Kind, e.Advice = KindRejected, adviceCredentials
			e.Description = fmt.Sprintf("the site refused the credentials (%d %s)", resp.StatusCode, http.StatusText(resp.StatusCode))
		}
	}
	return e
}

// redirectError refuses a redirect where an answer was due: following it
// would re-send secrets (a token request) or lose the POST (an http-to-https
// redirect turns it into a GET, errors.md A15).
func redirectError(op string, resp *http.Response) error {
	e := &Error{Op: op, Status: resp.StatusCode, Kind: KindSetup,
		Description: fmt.Sprintf("the site answered a %d redirect instead of an answer; not following it", resp.StatusCode),
		Advice:      "the site URL (--site, or the saved session's) must be the https:// Experience Cloud site URL with its prefix; redirects are not followed with secrets"}
	loc, err := resp.Location()
	if err == nil && !strings.EqualFold(loc.Host, resp.Request.URL.Host) {
		e.Kind, e.Err = KindSecurity, ErrOffsite
		e.Description = fmt.Sprintf("the site redirected the request to %s; not following it", safetext.Line(loc.Host))
	}
	return e
}

func describeContentType(ct string) string {
	if ct == "" {
		return "no content type"
	}
	return ct
}

func parseOAuth(body []byte) (oauthBody, bool) {
	var b oauthBody
	if json.Unmarshal(body, &b) == nil && (b.Error != "" || b.ErrorCode != "") {
		return b, true
	}
	// Salesforce REST errors come as an array: [{"errorCode","message"}].
	var arr []oauthBody
	if json.Unmarshal(body, &arr) == nil && len(arr) > 0 && arr[0].ErrorCode != "" {
		return arr[0], true
	}
	return b, false
}

func (b oauthBody) code() string {
	if b.Error != "" {
		return oneLine(b.Error)
	}
	return oneLine(b.ErrorCode)
}

func (b oauthBody) description() string {
	d := b.Description
	if d == "" {
		d = b.Message
	}
	return oneLine(d)
}

// OneLine keeps a server-supplied text on one line, safe to print: runs of
// white space become one space and other control characters are escaped
// visibly ([safetext.Line]).
func OneLine(s string) string { return oneLine(s) }

// oneLine keeps a server-supplied text on one line. It does not shorten
// it: the printer shortens after masking the run's secrets, so that a
// secret the site echoes is never cut in two and half of it shown.
func oneLine(s string) string {
	return safetext.Line(strings.Join(strings.Fields(s), " "))
}
