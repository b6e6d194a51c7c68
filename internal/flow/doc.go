// Package flow drives Salesforce Headless Identity flows as plain Go: the
// Authorization Code and Credentials Flow (response_type=code_credentials)
// and its variations, capture of the 302 that carries the code, the PKCE
// token exchange, and the session endpoints (refresh, revoke, introspect,
// userinfo).
//
// The sequence for a headless login (protocol.md §13):
//
//  1. make a PKCE verifier and a random state;
//  2. POST {site}/services/oauth2/authorize with Auth-Request-Type and the
//     credentials, without following the 302;
//  3. read code, state, sfdc_community_url and sfdc_community_id from the
//     Location header (or from the echo endpoint's JSON) and check state;
//  4. exchange the code at sfdc_community_url + /services/oauth2/token.
//
// Where each part lives:
//
//   - authorize.go, capture.go: the authorize POST (every Auth-Request-Type)
//     and the three capture modes; login.go: [Client.Login].
//   - exchange.go, token.go: the token step with golang.org/x/oauth2, the
//     whole response kept, the signature check.
//   - headless.go, init.go, forgot.go: the init endpoints of passwordless
//     login, registration and forgot password (protocol.md §4–§6).
//   - guest.go: the guest (UVID) flow and carrying a UVID into a login (§7).
//   - local.go, web.go: the loopback echo endpoint of --capture local and the
//     browser authorization-code flow (§10).
//   - session.go, userinfo.go: refresh, revoke, introspect, userinfo (§9).
//   - classify.go, oauth_errors.go, init_errors.go, errors.go: every failure
//     as an [*Error] with its Kind and the advice of errors.md.
//
// See https://developer.salesforce.com/docs/platform/headless-identity-impl-guide/guide/
// and https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_authorization_code_credentials_flow.htm
//
// The package imports no cobra and no os, and prints nothing: narration goes
// through [Client.Logf] and every failure is an [*Error] whose Kind the CLI
// maps to an exit code.
package flow
