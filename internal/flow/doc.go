// Package flow drives Salesforce Headless Identity flows as plain Go: the
// Authorization Code and Credentials Flow (response_type=code_credentials)
// and its variations, capture of the 302 that carries the code, the PKCE
// token exchange, and the session endpoints (refresh, revoke, userinfo).
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
// See https://developer.salesforce.com/docs/platform/headless-identity-impl-guide/guide/
// and https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_authorization_code_credentials_flow.htm
//
// The package imports no cobra and no os, and prints nothing: narration goes
// through [Client.Logf] and every failure is an [*Error] whose Kind the CLI
// maps to an exit code.
package flow
