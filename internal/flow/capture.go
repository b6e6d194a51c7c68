package flow

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/sfecho/sfecho/internal/safetext"
)

// checkLocation resolves the 302's Location and refuses one that points
// anywhere but the registered callback (errors.md E3). A redirect to the
// site's own pages is its login page: not treated as headless (A5).
func (c *Client) checkLocation(op string, resp *http.Response) (*url.URL, error) {
	loc, err := resp.Location()
	if err != nil {
		return nil, &Error{Op: op, Kind: KindUnexpected, Status: resp.StatusCode,
			Description: "redirect without a usable Location header"}
	}
	cb, err := url.Parse(c.redirectURI())
	if err != nil {
		return nil, usageErr("--redirect-uri is not a valid URL")
	}
	if sameOrigin(loc, cb) && strings.TrimRight(loc.Path, "/") == strings.TrimRight(cb.Path, "/") {
		return loc, nil
	}
	if sameOrigin(loc, c.Site) {
		return nil, &Error{Op: op, Kind: KindSetup, Status: resp.StatusCode,
			Description: "the site redirected to its login page " + safetext.Line(loc.Path) + " instead of the callback",
			Advice:      adviceHTML}
	}
	host := safetext.Line(loc.Host) // C1 and bidi controls pass url.Parse
	return nil, &Error{Op: op, Kind: KindSecurity, Status: resp.StatusCode, Err: ErrOffsite,
		Description: fmt.Sprintf("redirect went to %s, not the callback %s", host, cb.Host),
		Advice:      "redirect went to " + host + ", not the callback or the site: refusing; check --site and the app's Callback URL"}
}

// queryParams reads the redirect's parameters: the query, or the fragment
// when the query has none (browser error redirects use either, TV11).
func queryParams(op string, loc *url.URL) (map[string]string, error) {
	raw := loc.RawQuery
	if raw == "" {
		raw = loc.Fragment
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		return nil, &Error{Op: op, Kind: KindUnexpected, Description: "the redirect's parameters are malformed (try sfecho echo decode)"}
	}
	out := make(map[string]string, len(q))
	for k, v := range q {
		out[k] = v[0]
	}
	return out, nil
}

// echoParams takes the code from the echo endpoint's JSON, over what
// Location already carried: the documented echo answer (TV2) holds only
// code, sfdc_community_url and sfdc_community_id, so state and any error
// are read from Location where the echo leaves them out (protocol.md §3, Q2).
func (c *Client) echoParams(ctx context.Context, op string, loc *url.URL) (map[string]string, error) {
	fromLoc, _ := queryParams(op, loc)
	fromEcho, err := c.followEcho(ctx, loc)
	if err != nil {
		return nil, err
	}
	if fromLoc == nil {
		fromLoc = map[string]string{}
	}
	for k, v := range fromEcho {
		fromLoc[k] = v
	}
	return fromLoc, nil
}

// followEcho visits the echo URL without credentials and reads its JSON,
// as the guide's JavaScript and the Android SDK do (protocol.md §3).
func (c *Client) followEcho(ctx context.Context, loc *url.URL) (map[string]string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, loc.String(), nil)
	if err != nil {
		return nil, &Error{Op: OpEcho, Kind: KindUnexpected, Description: "cannot build the echo request"}
	}
	req.Header.Set("Accept", "application/json")
	c.logf("echo: GET %s", redactURL(loc))
	resp, err := c.noFollow().Do(req)
	if err != nil {
		return nil, transportError(OpEcho, loc.String(), err)
	}
	body, err := readBody(resp)
	if err != nil {
		return nil, transportError(OpEcho, loc.String(), err)
	}
	if resp.StatusCode == http.StatusOK && isJSON(resp) {
		return jsonParams(OpEcho, resp, body)
	}
	e := responseError(OpEcho, resp, body)
	if fe, ok := e.(*Error); ok && fe.Kind == KindSetup {
		u := *loc
		u.RawQuery = ""
		fe.Advice = "no echo endpoint at " + u.String() + ": use <site>/services/oauth2/echo with the site prefix, or --capture location"
	}
	return nil, e
}

// checkCode verifies state first (errors.md: "302 → check state and host
// first"), then reads an error or the code. A state that is present and
// wrong is always refused. An error redirect without any state is reported
// as the site's error: it carries nothing to steal, and Salesforce's own
// error examples (TV11) carry no state.
func (c *Client) checkCode(op, wantState string, p map[string]string) (*Code, error) {
	if p["code"] == "" && p["error"] == "" {
		// Nothing to steal and nothing to believe: the site is not set up
		// to answer this flow with a code (protocol.md §1, §3).
		return nil, &Error{Op: op, Kind: KindSetup, Description: "the redirect carried neither a code nor an error",
			Advice: adviceNoCode}
	}
	got, hasState := p["state"]
	if (hasState && got != wantState) || (!hasState && p["error"] == "") {
		desc := "state in the redirect did not match the one sent"
		if !hasState || got == "" {
			desc = "the redirect carried no state"
		}
		return nil, &Error{Op: op, Kind: KindSecurity, Err: ErrStateMismatch, Description: desc, Advice: adviceState}
	}
	if code := oneLine(p["error"]); code != "" {
		desc := oneLine(p["error_description"])
		kind, advice := classifyOAuth(op, code, desc)
		return nil, &Error{Op: op, Kind: kind, Code: code, Description: desc, Advice: advice}
	}
	code := &Code{Code: p["code"], State: p["state"], CommunityURL: p["sfdc_community_url"],
		CommunityID: p["sfdc_community_id"], Params: p}
	if err := c.checkCommunityURL(op, code.CommunityURL); err != nil {
		return nil, err
	}
	c.logf("authorize: got a code (state matches; sfdc_community_url %s)", code.CommunityURL)
	return code, nil
}

// redactURL prints a URL with the values of secret parameters masked.
func redactURL(u *url.URL) string {
	c := *u
	c.RawQuery = redactQuery(c.RawQuery)
	c.Fragment, c.RawFragment = redactQuery(c.Fragment), ""
	return c.String()
}

func redactQuery(raw string) string {
	if raw == "" {
		return ""
	}
	parts := strings.Split(raw, "&")
	for i, p := range parts {
		k, _, ok := strings.Cut(p, "=")
		if ok && SecretParam(k) {
			parts[i] = k + "=****"
		}
	}
	return strings.Join(parts, "&")
}

// SecretParam reports whether a form, query or JSON key carries a secret.
func SecretParam(key string) bool {
	switch strings.ToLower(key) {
	case "code", "password", "newpassword", "otp", "code_verifier", "client_secret",
		"access_token", "refresh_token", "id_token", "token", "identifier", "signature",
		"recaptcha", "assertion":
		return true
	}
	return false
}
