package api

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/sfecho/sfecho/internal/flow"
)

// Tokens hands out the session's access token.
type Tokens interface {
	// Token returns an access token that is still valid for a while,
	// refreshing the session first when it is about to expire.
	Token(ctx context.Context) (string, error)
	// Refresh gets a new access token now: the site refused the last one.
	Refresh(ctx context.Context) (string, error)
}

// Client calls one session's REST APIs. Set HTTP, Tokens and Community;
// the rest is optional.
type Client struct {
	// HTTP carries TLS settings, the timeout and the -v trace. Its
	// CheckRedirect is ignored: redirects are never followed, so the token
	// cannot follow one to another host.
	HTTP *http.Client
	// Tokens is where access tokens come from.
	Tokens Tokens
	// Community is the sfdc_community_url (the site URL with its prefix),
	// the default base. Instance is the instance_url, nil when unknown.
	// These two hosts are the only ones the token is sent to.
	Community, Instance *url.URL
	// Version is the API version of bare paths, such as "62.0"; "" means
	// ask the site (GET /services/data/) and use the newest.
	Version string
	// Remember, when set, receives a version learnt from the site, once,
	// so that the caller can save it for the next run.
	Remember func(ctx context.Context, version string)
}

// Request is one API call.
type Request struct {
	// Method defaults to GET, or POST when Body is set.
	Method string
	// Path is a path ("/services/…"), a path relative to
	// /services/data/vNN.N/ ("sobjects/Account"), or a full URL on the
	// community or instance host. See the package documentation.
	Path string
	// Header holds extra request headers. Accept defaults to
	// application/json, and Content-Type too when there is a body.
	// Authorization is always the session's token.
	Header http.Header
	// Body is sent as is; nil means no body.
	Body []byte
	// Instance resolves paths against the instance URL instead of the
	// community URL.
	Instance bool
}

// Response is an answer, its body read in full.
type Response struct {
	Proto      string // "HTTP/1.1"
	Status     string // "200 OK"
	StatusCode int
	Header     http.Header
	Body       []byte
}

// maxBody caps what is read of an answer.
const maxBody = 64 << 20

// Do makes the call: it checks the path, takes a token (a dead session
// stops here, before any request), asks the site for its API version when
// a bare path needs one and none is known, sends the call, and after a 401
// refreshes once and retries once. A non-2xx answer is returned together
// with a *[flow.Error]; errors from [Tokens] are returned unchanged.
func (c *Client) Do(ctx context.Context, req *Request) (*Response, error) {
	resp, _, err := c.first(ctx, req)
	return resp, err
}

// first is [Client.Do], also returning the base URL the call went under.
func (c *Client) first(ctx context.Context, req *Request) (*Response, *url.URL, error) {
	u, base, bare, err := c.target(req)
	if err != nil {
		return nil, nil, err
	}
	tok, err := c.Tokens.Token(ctx)
	if err != nil {
		return nil, nil, err
	}
	if u == nil {
		if u, err = c.versioned(ctx, base, bare); err != nil {
			return nil, nil, err
		}
	}
	resp, err := c.call(ctx, req, u, tok)
	return resp, base, err
}

// send calls u with a fresh token.
func (c *Client) send(ctx context.Context, req *Request, u *url.URL) (*Response, error) {
	tok, err := c.Tokens.Token(ctx)
	if err != nil {
		return nil, err
	}
	return c.call(ctx, req, u, tok)
}

// call calls u with tok, and after a 401 refreshes and calls it again,
// once: a 401 means nothing was done, so the retry is safe for every
// method (errors.md U2).
func (c *Client) call(ctx context.Context, req *Request, u *url.URL, tok string) (*Response, error) {
	resp, err := c.roundTrip(ctx, req, u, tok)
	if err == nil && resp.StatusCode == http.StatusUnauthorized {
		if tok, err = c.Tokens.Refresh(ctx); err != nil {
			return resp, err
		}
		resp, err = c.roundTrip(ctx, req, u, tok)
	}
	if err != nil {
		return nil, err
	}
	return resp, statusError(method(req), u, resp)
}

func method(req *Request) string {
	switch {
	case req.Method != "":
		return strings.ToUpper(req.Method)
	case req.Body != nil:
		return http.MethodPost
	}
	return http.MethodGet
}

// roundTrip sends one request with token tok (none when tok is "") and
// reads the answer.
func (c *Client) roundTrip(ctx context.Context, req *Request, u *url.URL, tok string) (*Response, error) {
	m := method(req)
	var body io.Reader
	if req.Body != nil {
		body = bytes.NewReader(req.Body)
	}
	hr, err := http.NewRequestWithContext(ctx, m, u.String(), body)
	if err != nil {
		return nil, &flow.Error{Op: "api", Kind: flow.KindUsage, Description: "cannot build the request: " + flow.OneLine(err.Error())}
	}
	for k, vs := range req.Header {
		for _, v := range vs {
			hr.Header.Add(k, v)
		}
	}
	if hr.Header.Get("Accept") == "" {
		hr.Header.Set("Accept", "application/json")
	}
	if req.Body != nil && hr.Header.Get("Content-Type") == "" {
		hr.Header.Set("Content-Type", "application/json")
	}
	if tok != "" {
		hr.Header.Set("Authorization", "Bearer "+tok)
	}
	hc := *c.HTTP
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := hc.Do(hr)
	if err != nil {
		return nil, transportError(ctx, m, u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, transportError(ctx, m, u, err)
	}
	if len(b) > maxBody {
		return nil, &flow.Error{Op: "api", Kind: flow.KindUnexpected,
			Description: fmt.Sprintf("%s %s: the answer is larger than %d MiB", m, displayPath(u), maxBody>>20)}
	}
	return &Response{Proto: resp.Proto, Status: resp.Status, StatusCode: resp.StatusCode, Header: resp.Header, Body: b}, nil
}

// transportError classifies a failure to get an answer: an interruption
// stays the context's error, anything else is a network failure (exit 6).
func transportError(ctx context.Context, m string, u *url.URL, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // without the URL and its query
	}
	fe := &flow.Error{Op: "api", Kind: flow.KindNetwork, Err: err,
		Description: m + " " + displayPath(u) + ": " + flow.OneLine(err.Error())}
	var cve *tls.CertificateVerificationError
	if errors.As(err, &cve) {
		fe.Advice = adviceTLS
	}
	return fe
}
