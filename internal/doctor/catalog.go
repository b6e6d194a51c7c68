package doctor

import "strings"

// catalog holds the advice line of every docs/errors.md entry, verbatim
// (a test compares them with the file). Placeholders such as <host> are
// filled by [advice].
var catalog = map[string]string{
	"A1":  "check --client-id is the Consumer Key of an app in the site's org; a new or edited app can take ~10 min",
	"A2":  "register the exact --redirect-uri on the app (Settings > OAuth Settings > Callback URL), byte for byte",
	"A3":  `enable "Allow Authorization Code and Credentials Flows" (Setup > OAuth and OpenID Connect Settings)`,
	"A4":  `turn on "Enable Authorization Code and Credentials Flow" on the app and the org's Code and Credentials switch`,
	"A5":  "not treated as headless: put every --scope on the app, check the POST-body setting and the org switch",
	"A6":  "check the username and password; the user must be an active external member of this site",
	"A7":  `set the app's IP Relaxation to "Relax IP restrictions", or add this IP to the profile's Login IP Ranges`,
	"A8":  "add the user's profile or permission set to the app's Policies (Permitted Users: Admin approved users)",
	"A9":  `headless login has no consent screen: set Permitted Users to "Admin approved users are pre-authorized"`,
	"A10": "the user is inactive or locked: an admin must reactivate or unlock it in Setup > Users",
	"A11": "the org is locked, closed or suspended: contact the org's admin; nothing to change in sfecho",
	"A12": "login rate limit (3,600/user/hour) reached: reuse the saved session with sfecho token; retry in an hour",
	"A13": `request only scopes selected on the app, space-separated (e.g. --scope "api refresh_token")`,
	"A14": "authorization was denied in the browser: run sfecho login again and choose Allow",
	"A15": "--site must start with https://; an http-to-https redirect turns the POST into a GET",
	"A16": "the app requires PKCE: send code_challenge (S256) at authorize and code_verifier at token",
	"A17": "guest flow: --uvid must be a v4 UUID; if it still fails the connection is not HTTP/2 (check --ca-file, proxy)",
	"A18": `enable "Code and Credentials Flow for Guest Users" and JWT-based access tokens on the app`,
	"T1":  "the code expired or was already used: log in again and exchange the new code once, at once",
	"T2":  "PKCE check failed: challenge must be base64url(SHA-256(verifier)) without padding; log in again",
	"T3":  `public client: turn off "Require secret for Web Server Flow"; private: check --client-secret-file`,
	"T4":  "grant type refused: use an https:// site URL (redirects turn the POST into a GET)",
	"T5":  "the refresh token was revoked or expired (app Refresh Token Policy, 5-grant limit): run sfecho login",
	"T6":  "the user's password changed or the user was deactivated: run sfecho login again",
	"T7":  "refresh token already used (rotation is on), so the session was revoked: run sfecho login again",
	"T8":  "no refresh token was issued: add refresh_token to the app's scopes and to --scope, then log in again",
	"I1":  `the site requires reCAPTCHA: send a fresh token, or have the admin use "Require authentication" instead`,
	"I2":  "site wants an integration-user Bearer token (user_registration_api/pwdless_login_api/forgot_password)",
	"I3":  "enable the flow in the site's Login & Registration > Headless Identity Configuration, then save",
	"I4":  "that username exists in some Salesforce org: choose another --username (it need not be the email)",
	"I5":  "the new password fails the site's password policy: use a longer one with letters and digits",
	"I6":  "the site allowlists email templates: pass an allowlisted emailtemplate or clear the allowlist",
	"I7":  "the code was wrong or has expired: request a new one and enter it once, promptly",
	"I8":  "too many wrong codes: start the flow again to get a new code",
	"E2":  "state did not match: possible replay or mix-up; start the login again and do not reuse redirect URLs",
	"E3":  "redirect went to <host>, not the callback or the site: refusing; check --site and the app's Callback URL",
	"E4":  "no echo endpoint at <url>: use <site>/services/oauth2/echo with the site prefix, or --capture location",
	"E5":  "token signature check failed: wrong --client-secret-file for this app, or the response was altered",
	"U1":  "the access token is expired or revoked: run sfecho refresh, or sfecho login if that fails",
	"U2":  "session expired or used on the wrong host: run sfecho refresh; call instance_url or sfdc_community_url",
	"U3":  "site token sent to the org host: call the site URL (sfdc_community_url), not instance_url",
	"U4":  "token already revoked or expired: nothing left to revoke; the local session was removed",
	"U5":  `introspection needs this app's client credentials; other apps' tokens need "Introspect All Tokens"`,
	"U6":  `the user lacks "API Enabled": grant it with a permission set (License: --None--)`,
	"B1":  "port <port> is in use: stop that process or choose another port in --redirect-uri (register it too)",
	"B2":  "port <port> is reserved by Windows (netsh int ipv4 show excludedportrange protocol=tcp): pick another",
	"B3":  "no browser here: open the printed URL elsewhere and forward the port (ssh -L), or use headless sfecho login",
	"B4":  "register the loopback callback exactly as sent (localhost vs 127.0.0.1, same port and path)",
	"B5":  `browser calls need "Enable CORS for OAuth endpoints" and your origin in Setup > CORS; sfecho needs neither`,
	"N1":  "--site must be the Experience Cloud site URL (https://host[/prefix]), not login.salesforce.com or My Domain",
	"N2":  "include the site prefix once and no /s/ (e.g. https://acme.my.site.com/shop); sfecho then uses sfdc_community_url",
	"N3":  "the site is not active: Setup > Digital Experiences > All Sites > Workspaces > Administration > Settings > Activate",
	"N4":  "TLS verification failed (proxy with its own CA?): pass that CA with --ca-file; --insecure is for tests only",
	"N5":  "cannot reach <host>: check the site URL, DNS, and HTTPS_PROXY/NO_PROXY",
	"N6":  "the site answered <status> or timed out: retry later (see status.salesforce.com), or raise --timeout",
	"N7":  "the clock here is <n>s off the site's Date header: sync it (NTP) and retry",
}

// advice returns entry id's advice line with its placeholders filled from
// fills, given as pairs ("<host>", "acme.my.site.com").
func advice(id string, fills ...string) string {
	a := catalog[id]
	if len(fills) > 1 {
		a = strings.NewReplacer(fills...).Replace(a)
	}
	return a
}

// entryOf finds the errors.md entry whose advice line is a, for advice that
// comes from internal/flow; "" when none matches.
func entryOf(a string) string {
	if a == "" {
		return ""
	}
	for id, line := range catalog {
		if line == a {
			return id
		}
	}
	return ""
}
