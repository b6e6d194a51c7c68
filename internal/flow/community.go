package flow

import (
	"net"
	"net/url"
	"strings"
)

// SalesforceSiteDomains are the Salesforce-owned domains whose subdomains
// may receive the code and verifier as a sfdc_community_url: a site on a
// custom domain may answer with its *.my.site.com address, and Salesforce's
// own clients use the URL without a check (protocol.md §1, §3). The sandbox
// forms (acme--uat.sandbox.my.site.com, ...) are subdomains of these.
var SalesforceSiteDomains = []string{
	"my.site.com", "sandbox.my.site.com",
	"site.com",
	"force.com",
	"my.salesforce-sites.com", "sandbox.my.salesforce-sites.com",
	"salesforce.com",
}

// CheckCommunityURL decides whether raw, a sfdc_community_url from the 302,
// a token response or a saved session, may receive the code, the verifier,
// refresh tokens and any client secret. Accepted, over https only: the
// site's own host; a host under one of [SalesforceSiteDomains]; or a URL the
// user named in [Client.TrustedCommunityURLs]. A loopback site (the
// simulator, tests) accepts only its exact scheme and host: an https site
// never sends the code over http://, and 127.0.0.1 is not [::1]. Anything
// else is a KindSecurity error (exit 7) naming the way to trust it.
func (c *Client) CheckCommunityURL(raw string) error {
	return c.checkCommunityURL("token exchange", raw)
}

func (c *Client) checkCommunityURL(op, raw string) error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err == nil && u.Host != "" && u.User == nil && c.communityAllowed(u) {
		return nil
	}
	shown := oneLine(raw)
	if err == nil && u.Host != "" {
		shown = oneLine(u.Scheme + "://" + u.Host)
	}
	return &Error{Op: op, Kind: KindSecurity, Err: ErrOffsite,
		Description: "sfdc_community_url points at " + shown + ", not the site " + c.Site.Host + " or a Salesforce site domain",
		Advice:      "refusing to send the code there: if " + shown + " really is your site, add --trust-community-url " + shown}
}

func (c *Client) communityAllowed(u *url.URL) bool {
	if sameOrigin(u, c.Site) {
		return true // exact scheme and host:port, loopback included
	}
	for _, t := range c.TrustedCommunityURLs {
		if tu, err := url.Parse(t); err == nil && tu.Host != "" && sameOrigin(u, tu) {
			return true
		}
	}
	if u.Scheme != "https" || (u.Port() != "" && u.Port() != "443") {
		return false
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if net.ParseIP(host) != nil {
		return false
	}
	for _, d := range SalesforceSiteDomains {
		if strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}
