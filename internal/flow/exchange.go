package flow

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/sfecho/sfecho/internal/safetext"
	"golang.org/x/oauth2"
)

// Exchange trades a code for tokens at sfdc_community_url (else the site)
// + /services/oauth2/token, with the PKCE verifier, using golang.org/x/oauth2
// with parameters in the body. header adds request headers (the guest flow
// needs Auth-Request-Type and Uvid-Hint there, protocol.md §7).
func (c *Client) Exchange(ctx context.Context, code *Code, verifier string, header http.Header) (*Token, error) {
	base := c.Site
	if code.CommunityURL != "" {
		if u, err := url.Parse(code.CommunityURL); err == nil {
			base = u
		}
	}
	tokenURL := Endpoint(base, PathToken)
	conf := &oauth2.Config{
		ClientID:     c.ClientID,
		ClientSecret: c.ClientSecret,
		RedirectURL:  c.redirectURI(),
		Endpoint:     oauth2.Endpoint{TokenURL: tokenURL, AuthStyle: oauth2.AuthStyleInParams},
	}
	rec := c.recorder(header)
	ctx = context.WithValue(ctx, oauth2.HTTPClient, c.tokenClient(rec))
	c.logf("token exchange: POST %s (grant_type=authorization_code, code_verifier)", tokenURL)
	_, err := conf.Exchange(ctx, code.Code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, oauthError(OpExchange, tokenURL, rec, err)
	}
	return c.tokenFrom(OpExchange, rec)
}

// tokenFrom parses the recorded token body and checks its signature.
func (c *Client) tokenFrom(op string, rec *recorder) (*Token, error) {
	if err := shapeError(op, rec.body()); err != nil {
		return nil, err
	}
	tok, err := ParseToken(rec.body())
	if err != nil {
		return nil, shapeError(op, nil)
	}
	if !wellFormedToken(tok.AccessToken) || (tok.RefreshToken != "" && !wellFormedToken(tok.RefreshToken)) {
		// A token with spaces or control characters would break -o header
		// and -o env, or a terminal; Salesforce's never have them.
		return nil, &Error{Op: op, Kind: KindUnexpected, Description: "the site sent a token with spaces or control characters; refusing it"}
	}
	if name, ok := cleanURLs(tok); !ok {
		// Saved, printed with -o env and used for API calls: a URL with
		// control characters is never the site's.
		return nil, &Error{Op: op, Kind: KindSecurity, Description: "the site sent an " + name + " that is not a plain absolute URL; refusing the answer",
			Advice: "the site's answer is malformed or hostile: check --site, or run with -v to see it"}
	}
	// Later refreshes, revokes and userinfo calls go to this URL with the
	// refresh token and any secret: it must be the site's own host too.
	if err := c.checkCommunityURL(op, tok.CommunityURL); err != nil {
		return nil, err
	}
	if c.ClientSecret != "" {
		switch {
		case tok.Signature == "":
			c.logf("%s: no signature in the answer; nothing to verify", op)
		case !tok.VerifySignature(c.ClientSecret):
			return nil, &Error{Op: op, Kind: KindSecurity, Err: ErrSignature,
				Description: "the signature over id and issued_at does not match", Advice: adviceSignature}
		default:
			c.logf("%s: signature verified (HMAC-SHA256 of id + issued_at)", op)
		}
	}
	c.logf("%s: got tokens (issued_at %s, scope %q)", op, tok.IssuedAt, tok.Scope)
	return tok, nil
}

// oauthError turns an x/oauth2 error into an *Error. rec holds the answer,
// if one came: x/oauth2 reports a 200 it cannot parse (an HTML page, cut
// JSON) as a plain error, and the answer tells which it was.
func oauthError(op, target string, rec *recorder, err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response != nil {
		return responseError(op, re.Response, re.Body)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return transportError(op, target, ue)
	}
	rec.mu.Lock()
	resp, body := rec.lastResp, rec.last
	rec.mu.Unlock()
	if resp != nil && !isJSON(resp) && len(body) > 0 {
		return responseError(op, resp, body)
	}
	// x/oauth2 reports a 200 it cannot parse (or without access_token) as a
	// plain error.
	if err := shapeError(op, body); err != nil {
		return err
	}
	return shapeError(op, nil)
}

// shapeError says what is wrong with a token answer: not JSON at all (cut
// short: exit 6), or JSON of the wrong shape (no access_token, a field of
// the wrong type: exit 1, naming it). nil when the shape is right.
func shapeError(op string, body []byte) error {
	if !json.Valid(body) {
		return &Error{Op: op, Kind: KindNetwork, Description: "the token answer was cut short or is not JSON",
			Advice: "the connection may have dropped mid-answer: retry; check proxies between here and the site"}
	}
	if why := checkShape(body); why != "" {
		return &Error{Op: op, Kind: KindUnexpected, Description: why,
			Advice: "the site (or a proxy in between) answered something that is not a Salesforce token response: try -v"}
	}
	return nil
}

// tokenClient is the HTTP client handed to x/oauth2: it records the answer
// and never follows a redirect, which would re-send the code, verifier,
// refresh token or client secret to wherever the redirect points.
func (c *Client) tokenClient(rec *recorder) *http.Client {
	return &http.Client{Transport: rec, Timeout: c.HTTP.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// recorder is a RoundTripper that keeps the last response body, so the
// whole token response survives x/oauth2's parsing, and adds headers.
type recorder struct {
	base     http.RoundTripper
	header   http.Header
	mu       sync.Mutex
	last     []byte
	lastResp *http.Response
}

func (c *Client) recorder(header http.Header) *recorder {
	base := c.HTTP.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	return &recorder{base: base, header: header}
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if len(r.header) > 0 {
		req = req.Clone(req.Context())
		for k, v := range r.header {
			req.Header[k] = v
		}
	}
	resp, err := r.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	b, err := readBody(resp)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.last, r.lastResp = b, resp
	r.mu.Unlock()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return resp, nil
}

func (r *recorder) body() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last
}

// wellFormedToken reports whether t holds only printable, non-space ASCII,
// as opaque Salesforce tokens and JWTs do.
func wellFormedToken(t string) bool {
	for i := 0; i < len(t); i++ {
		if t[i] <= ' ' || t[i] >= 0x7f {
			return false
		}
	}
	return true
}

// cleanURLs checks the URL fields of a token answer: each, when present,
// must be an absolute URL without control, bidi or space characters. It
// returns the name of the first that is not.
func cleanURLs(tok *Token) (string, bool) {
	for _, f := range []struct{ name, v string }{{"instance_url", tok.InstanceURL}, {"id", tok.ID}, {"sfdc_community_url", tok.CommunityURL}} {
		if f.v == "" {
			continue
		}
		u, err := url.Parse(f.v)
		if err != nil || u.Scheme == "" || u.Host == "" || !safetext.Clean(f.v) || strings.ContainsAny(f.v, " \t") {
			return f.name, false
		}
	}
	return "", true
}
