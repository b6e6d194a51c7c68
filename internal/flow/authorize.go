package flow

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// Capture says how the 302 that carries the code is captured (design.md).
type Capture string

// The capture modes.
const (
	// CaptureLocation stops at the 302 and reads the code from Location:
	// two round trips in all; the callback need not be reachable.
	CaptureLocation Capture = "location"
	// CaptureEcho follows the 302 (without credentials) to the site's echo
	// endpoint and reads its JSON, as a single-page app does.
	CaptureEcho Capture = "echo"
	// CaptureLocal points redirect_uri at a loopback echo endpoint that
	// sfecho serves itself.
	CaptureLocal Capture = "local"
)

// Request types (the Auth-Request-Type header, protocol.md §1, §4, §5, §7).
const (
	RequestNamedUser    = "Named-User"
	RequestPasswordless = "passwordless-login"
	RequestRegistration = "user-registration"
	// RequestGuest is lowercase: "Guest-User" is reported to fail with
	// "invalid headers" (protocol.md §7, [3P S26]).
	RequestGuest = "guest"
)

// Authorization is one POST to /services/oauth2/authorize.
type Authorization struct {
	RequestType      string // Auth-Request-Type; default Named-User
	VerificationType string // Auth-Verification-Type (email|sms) for OTP flows
	// User and Secret are the Basic credentials: username:password, or
	// identifier:otp for the OTP flows. They are never logged.
	User, Secret string
	// InBody sends username/password as form fields instead of Basic, for
	// apps with "Require user credentials in the POST body" (protocol.md §1).
	InBody bool
	// LoginHint replaces the username for headless user discovery; it goes
	// in the form body with the password (protocol.md §8, [UNCONFIRMED]).
	LoginHint string
	// Form holds extra body parameters.
	Form url.Values
	// Header holds extra request headers.
	Header http.Header
	// Capture is the capture mode; default CaptureLocation.
	Capture Capture
	// Follow delivers the 302 for CaptureLocal: it must visit the Location
	// (the loopback echo endpoint) and return what that endpoint captured.
	Follow    func(ctx context.Context, location *url.URL) (map[string]string, error)
	State     string // sent and verified; required
	Challenge string // S256 code_challenge; required
}

// Code is what the 302 carried.
type Code struct {
	Code         string
	State        string
	CommunityURL string // sfdc_community_url
	CommunityID  string // sfdc_community_id
	// Params holds every parameter of the redirect, code included.
	Params map[string]string
}

// Authorize posts the authorization request and captures the code.
func (c *Client) Authorize(ctx context.Context, a Authorization) (*Code, error) {
	op := OpAuthorize
	if a.RequestType == RequestPasswordless || a.RequestType == RequestRegistration {
		op = OpAuthorizeOTP
	}
	req, err := c.authorizeRequest(ctx, a)
	if err != nil {
		return nil, err
	}
	c.logf("authorize: POST %s (Auth-Request-Type: %s)", req.URL.Redacted(), req.Header.Get("Auth-Request-Type"))
	resp, err := c.noFollow().Do(req)
	if err != nil {
		return nil, transportError(op, req.URL.String(), err)
	}
	body, err := readBody(resp)
	if err != nil {
		return nil, transportError(op, req.URL.String(), err)
	}
	params, err := c.capture(ctx, op, a, resp, body)
	if err != nil {
		return nil, c.loopbackAdvice(err)
	}
	return c.checkCode(op, a.State, params)
}

func (c *Client) authorizeRequest(ctx context.Context, a Authorization) (*http.Request, error) {
	form := url.Values{}
	for k, v := range a.Form {
		form[k] = append([]string(nil), v...)
	}
	form.Set("response_type", "code_credentials")
	form.Set("client_id", c.ClientID)
	form.Set("redirect_uri", c.redirectURI())
	form.Set("state", a.State)
	if c.Scope != "" {
		form.Set("scope", c.Scope)
	}
	// S256 only, and by default no method parameter: Salesforce's own
	// clients send the challenge alone here (protocol.md Q9).
	form.Set("code_challenge", a.Challenge)
	if c.sendMethod(false) {
		form.Set("code_challenge_method", "S256")
	}
	switch {
	case a.LoginHint != "":
		form.Set("login_hint", a.LoginHint)
		form.Set("password", a.Secret)
	case a.InBody:
		form.Set("username", a.User)
		form.Set("password", a.Secret)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, Endpoint(c.Site, PathAuthorize), strings.NewReader(form.Encode()))
	if err != nil {
		return nil, &Error{Op: OpAuthorize, Kind: KindUsage, Description: "cannot build the request", Err: err}
	}
	for k, v := range a.Header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	rt := a.RequestType
	if rt == "" {
		rt = RequestNamedUser
	}
	req.Header.Set("Auth-Request-Type", rt)
	if a.VerificationType != "" {
		req.Header.Set("Auth-Verification-Type", a.VerificationType)
	}
	if a.LoginHint == "" && !a.InBody && (a.User != "" || a.Secret != "") {
		if strings.Contains(a.User, ":") {
			return nil, colonInUser() // issue 10: before any request
		}
		// Standard padded base64, as the docs show (protocol.md TV1).
		raw := a.User + ":" + a.Secret
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(raw)))
	}
	return req, nil
}

// capture turns the authorize answer into the redirect's parameters.
func (c *Client) capture(ctx context.Context, op string, a Authorization, resp *http.Response, body []byte) (map[string]string, error) {
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		loc, err := c.checkLocation(op, resp)
		if err != nil {
			return nil, err
		}
		c.logf("authorize: %d redirect to %s", resp.StatusCode, redactURL(loc))
		switch a.Capture {
		case CaptureEcho:
			return c.echoParams(ctx, op, loc)
		case CaptureLocal:
			if a.Follow == nil {
				return nil, &Error{Op: op, Kind: KindUnexpected, Description: "local capture without a local endpoint"}
			}
			return a.Follow(ctx, loc)
		}
		return queryParams(op, loc)
	case resp.StatusCode == http.StatusOK && isJSON(resp):
		// An echo-style body straight from authorize (protocol.md Q1).
		return jsonParams(op, resp, body)
	}
	return nil, responseError(op, resp, body)
}

func isJSON(resp *http.Response) bool {
	ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	return ct == "application/json"
}

func jsonParams(op string, resp *http.Response, body []byte) (map[string]string, error) {
	var raw map[string]any
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, &Error{Op: op, Kind: KindNetwork, Status: resp.StatusCode,
			Description: "the answer was cut short or is not JSON",
			Advice:      "the connection may have dropped mid-answer: retry; check proxies between here and the site"}
	}
	if _, isErr := raw["error"]; isErr {
		return nil, responseError(op, resp, body)
	}
	out := make(map[string]string, len(raw))
	for k, v := range raw {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out, nil
}

// loopbackAdvice swaps the generic callback advice (errors.md A2) for the
// loopback one (B4) when the redirect_uri is a loopback URL: there, host
// name, port and path must all match what the app registered.
func (c *Client) loopbackAdvice(err error) error {
	var fe *Error
	u, perr := url.Parse(c.redirectURI())
	if errors.As(err, &fe) && fe.Code == "redirect_uri_mismatch" && perr == nil && IsLoopback(u.Hostname()) {
		fe.Advice = "register the loopback callback exactly as sent, " + u.String() + " (localhost vs 127.0.0.1, same port and path)"
	}
	return err
}
