package flow

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
)

// Userinfo fetches the OpenID Connect UserInfo document for an access token
// from {base}/services/oauth2/userinfo (protocol.md §9, TV9). base is the
// sfdc_community_url when known, else the site. The raw JSON is returned.
func (c *Client) Userinfo(ctx context.Context, base, accessToken string) (json.RawMessage, error) {
	u, err := c.base(base)
	if err != nil {
		return nil, err
	}
	endpoint := Endpoint(u, PathUserinfo)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
	if err != nil {
		return nil, &Error{Op: OpUserinfo, Kind: KindUnexpected, Description: "cannot build the request", Err: err}
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	req.Header.Set("Accept", "application/json")
	c.logf("userinfo: GET %s", endpoint)
	resp, err := c.noFollow().Do(req)
	if err != nil {
		return nil, transportError(OpUserinfo, endpoint, err)
	}
	body, err := readBody(resp)
	if err != nil {
		return nil, transportError(OpUserinfo, endpoint, err)
	}
	if resp.StatusCode == http.StatusOK && isJSON(resp) && json.Valid(body) {
		return body, nil
	}
	if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
		// 403 text/plain Bad_OAuth_Token (errors.md U1).
		return nil, &Error{Op: OpUserinfo, Kind: KindNoSession, Status: resp.StatusCode,
			Description: "the site refused the access token (" + oneLine(string(body)) + ")", Advice: adviceBadToken}
	}
	if resp.StatusCode == http.StatusOK {
		return nil, &Error{Op: OpUserinfo, Kind: KindNetwork, Status: resp.StatusCode,
			Description: "the answer was cut short or is not JSON"}
	}
	return nil, responseError(OpUserinfo, resp, body)
}

// parseBase parses a site or community URL that came from the site itself.
func parseBase(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil, &Error{Kind: KindUsage, Description: "not a site URL: " + raw}
	}
	if err := CheckScheme("the site URL", u); err != nil {
		return nil, err
	}
	return u, nil
}
