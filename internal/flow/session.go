package flow

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// ErrTokenInvalid reports a revoke of a token the site no longer knows:
// already revoked or expired (errors.md U4). For logout that means done.
var ErrTokenInvalid = errors.New("token already revoked or expired")

// adviceAlreadyRevoked is errors.md U4's advice for revoke.
const adviceAlreadyRevoked = "token already revoked or expired: nothing left to revoke; run sfecho logout to remove the saved session"

// Refresh trades a refresh token for a new access token at base (the saved
// sfdc_community_url; the site when empty) + /services/oauth2/token, with
// golang.org/x/oauth2 and parameters in the body (protocol.md §9). The whole
// response is kept. With refresh token rotation the answer carries a new
// refresh_token and the old one is dead from now on, so the caller must save
// the answer before anything else can fail. A rejected refresh token is
// KindNoSession (exit 4: log in again).
func (c *Client) Refresh(ctx context.Context, base, refreshToken string) (*Token, error) {
	u, err := c.base(base)
	if err != nil {
		return nil, err
	}
	tokenURL := Endpoint(u, PathToken)
	conf := &oauth2.Config{
		ClientID:     c.ClientID,
		ClientSecret: c.ClientSecret,
		Endpoint:     oauth2.Endpoint{TokenURL: tokenURL, AuthStyle: oauth2.AuthStyleInParams},
	}
	rec := c.recorder(nil)
	ctx = context.WithValue(ctx, oauth2.HTTPClient, c.tokenClient(rec))
	c.logf("refresh: POST %s (grant_type=refresh_token)", tokenURL)
	if _, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: refreshToken}).Token(); err != nil {
		return nil, oauthError(OpRefresh, tokenURL, rec, err)
	}
	return c.tokenFrom(OpRefresh, rec)
}

// Revoke revokes token (an access or a refresh token) at base +
// /services/oauth2/revoke (protocol.md §9). Revoking a refresh token also
// revokes the access tokens issued from it. A token the site does not know
// gives an *Error wrapping [ErrTokenInvalid] (KindRejected, exit 3).
func (c *Client) Revoke(ctx context.Context, base, token string) error {
	resp, body, err := c.postForm(ctx, OpRevoke, base, PathRevoke, url.Values{"token": {token}})
	if err != nil {
		return err
	}
	if resp.StatusCode == http.StatusOK {
		c.logf("revoke: done")
		return nil
	}
	if b, ok := parseOAuth(body); ok && resp.StatusCode == http.StatusBadRequest &&
		(b.Error == "invalid_token" || b.Error == "unsupported_token_type") {
		return &Error{Op: OpRevoke, Kind: KindRejected, Status: resp.StatusCode, Code: b.Error,
			Description: b.description(), Advice: adviceAlreadyRevoked, Err: ErrTokenInvalid}
	}
	return responseError(OpRevoke, resp, body)
}

// Introspection is an RFC 7662 answer from /services/oauth2/introspect
// (protocol.md §9, [DOC S45]).
type Introspection struct {
	Active    bool   `json:"active"`
	Scope     string `json:"scope,omitempty"`
	ClientID  string `json:"client_id,omitempty"`
	Username  string `json:"username,omitempty"`
	Sub       string `json:"sub,omitempty"`
	TokenType string `json:"token_type,omitempty"`
	Exp       int64  `json:"exp,omitempty"` // seconds since the epoch
	Iat       int64  `json:"iat,omitempty"`
	Nbf       int64  `json:"nbf,omitempty"`
	// Raw is the answer as received.
	Raw json.RawMessage `json:"-"`
}

// Expiry returns exp as a time; zero when the answer has none.
func (in *Introspection) Expiry() time.Time {
	if in.Exp <= 0 {
		return time.Time{}
	}
	return time.Unix(in.Exp, 0)
}

// Introspect asks the site about token (hint "access_token" or
// "refresh_token") at base + /services/oauth2/introspect, authenticating
// with client_id (and client_secret for a private client) in the body.
// Whether Salesforce answers a public client without a secret is
// [UNCONFIRMED] (protocol.md §9, Q11): callers must treat any error as
// "expiry unknown" and fall back, never as a failed login.
func (c *Client) Introspect(ctx context.Context, base, token, hint string) (*Introspection, error) {
	form := url.Values{"token": {token}, "client_id": {c.ClientID}}
	if hint != "" {
		form.Set("token_type_hint", hint)
	}
	if c.ClientSecret != "" {
		form.Set("client_secret", c.ClientSecret)
	}
	resp, body, err := c.postForm(ctx, OpIntrospect, base, PathIntrospect, form)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, responseError(OpIntrospect, resp, body)
	}
	in := &Introspection{Raw: body}
	if !isJSON(resp) || json.Unmarshal(body, in) != nil {
		return nil, &Error{Op: OpIntrospect, Kind: KindUnexpected, Status: resp.StatusCode,
			Description: "the answer is not RFC 7662 JSON"}
	}
	c.logf("introspect: active=%v exp=%d", in.Active, in.Exp)
	return in, nil
}

// postForm POSTs form to base + path without following redirects and
// returns the response (body already read and closed).
func (c *Client) postForm(ctx context.Context, op, base, path string, form url.Values) (*http.Response, []byte, error) {
	u, err := c.base(base)
	if err != nil {
		return nil, nil, err
	}
	endpoint := Endpoint(u, path)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, nil, &Error{Op: op, Kind: KindUnexpected, Description: "cannot build the request", Err: err}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	c.logf("%s: POST %s", op, endpoint)
	resp, err := c.noFollow().Do(req)
	if err != nil {
		return nil, nil, transportError(op, endpoint, err)
	}
	body, err := readBody(resp)
	if err != nil {
		return nil, nil, transportError(op, endpoint, err)
	}
	return resp, body, nil
}

// base returns the URL session endpoints live under: raw (a saved
// sfdc_community_url) when set, else the site. A saved community URL must
// pass the rule the login applied ([Client.CheckCommunityURL]): refresh
// tokens and secrets go there.
func (c *Client) base(raw string) (*url.URL, error) {
	if raw == "" {
		return c.Site, nil
	}
	u, err := parseBase(raw)
	if err != nil {
		return nil, err
	}
	if err := c.checkCommunityURL("session", raw); err != nil {
		return nil, err
	}
	return u, nil
}

// JWTExpiry returns the exp claim of a JWT-based access token
// (token_format "jwt", protocol.md §2). The signature is not checked: the
// value only decides when to refresh, and the token came from the site over
// TLS. ok is false for an opaque token or a JWT without exp.
func JWTExpiry(token string) (exp time.Time, ok bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return time.Time{}, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return time.Time{}, false
	}
	var claims struct {
		Exp json.Number `json:"exp"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return time.Time{}, false
	}
	sec, err := claims.Exp.Float64()
	if err != nil || sec <= 0 {
		return time.Time{}, false
	}
	return time.Unix(int64(sec), 0), true
}

// Expiry sources: how a saved session knows when its access token expires.
const (
	ExpiryJWT        = "jwt"
	ExpiryIntrospect = "introspect"
)
