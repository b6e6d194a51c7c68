// Package sim is a simulated Salesforce Experience Cloud site: an
// [http.Handler] that speaks the Headless Identity protocol as protocol.md
// describes it. It is the test double for every sfecho test, the engine of
// `sfecho demo`, and, through `sfecho sim`, a local site for people building
// headless apps. It is written from the protocol, never from sfecho's client
// code (it does not import internal/flow), so a misunderstanding cannot hide
// in both.
//
// Create a site with [New] (or [Demo] for the zero-setup config) and serve it
// with httptest or an http.Server bound to loopback. The site URL is derived
// from each request: scheme (https when r.TLS is set), r.Host and
// Config.PathPrefix; it is what sfdc_community_url carries.
//
// # Endpoints (all under Config.PathPrefix)
//
//   - POST /services/oauth2/authorize, response_type=code_credentials, with
//     Auth-Request-Type Named-User (Basic or POST-body credentials, or
//     login_hint+password), passwordless-login and user-registration (Basic
//     identifier:otp plus Auth-Verification-Type), or guest (Uvid-Hint).
//     Success is a 302 to redirect_uri with code, sfdc_community_url,
//     sfdc_community_id and state. Codes look like Salesforce's ("aPrx...==")
//     and are single-use and short-lived (Config.CodeTTL).
//   - GET /services/oauth2/authorize, response_type=code: the browser flow's
//     HTML login page (#username, #password, #login); its form POST answers
//     the 302 (protocol.md §10).
//   - POST /services/oauth2/token: authorization_code (PKCE checked with
//     pkce.Verify) and refresh_token (rotation and reuse detection). The
//     answer has the fields of protocol.md TV3, issued_at in ms as a string,
//     signature only for a private client, and no expires_in.
//   - GET /services/oauth2/echo: the query as a JSON object, with CORS.
//   - GET|POST /services/oauth2/userinfo and GET /id/<org>/<user>: the user
//     as protocol.md TV9; a bad token gets 403 text/plain Bad_OAuth_Token.
//   - POST|GET /services/oauth2/revoke and POST /services/oauth2/introspect
//     (RFC 7662; Config.IntrospectDisabled makes it 404).
//   - POST /services/auth/headless/init/passwordless/login,
//     /services/auth/headless/init/registration and
//     /services/auth/headless/forgot_password (protocol.md §4–§6).
//   - GET /.well-known/openid-configuration and /id/keys (the JWKS that
//     verifies id_tokens and JWT access tokens).
//
// Anything else is the site's HTML 404 page. The site never answers 5xx
// unless a [Failure] asks it to.
//
// # Choices where Salesforce is undocumented
//
// Where protocol.md marks a fact [UNCONFIRMED] or [3P] the site picks the
// most likely behaviour and says so at the code that does it. In short:
// a request without Auth-Request-Type, with a scope the app lacks, or with a
// Basic header while CredentialsInBody is on gets the 200 HTML login page;
// an unknown Auth-Request-Type gets invalid_request / "invalid headers";
// a code fails with invalid_grant / "expired authorization code" once used
// or expired (one exchange attempt consumes it); a GET to the token
// endpoint gets unsupported_grant_type / "grant type not supported".
//
// # Failure injection
//
// [Site.Fail] (or Config.Fail) makes an endpoint, named by one of the
// Endpoint* constants, answer a canned status and body, drop the
// connection, hang until the client gives up, answer slowly, or cut its JSON
// short, for the next Times requests or until [Site.ClearFailures].
//
// # OTP delivery
//
// Passwordless, registration and forgot-password OTPs are written to
// Config.Outbox, one line each, and to Config.Logf; [Site.LastOTP] returns
// the last OTP sent for an identifier or a username.
package sim
