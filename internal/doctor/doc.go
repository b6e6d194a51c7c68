// Package doctor says what an Experience Cloud site and its app have set up
// for Salesforce Headless Identity, and what not, from requests that cannot
// lock out, create or message anyone. [Run] returns one [Check] per line:
// passed, failed (with its docs/errors.md entry and that entry's advice
// line) or unknown.
//
// It talks to the site through the caller's *http.Client, so TLS settings,
// the timeout, the -v trace and the --har recorder apply; it prints
// nothing and reads no files or environment (internal/cli gathers the
// inputs and prints the report). It never imports internal/cli.
//
// # What the default run sends
//
//  1. GET {site}/services/oauth2/echo?code=sfecho-doctor-<random>&state=<random>:
//     the name lookup, TCP connection, TLS handshake (version, certificate,
//     ALPN h2) and the echo endpoint's JSON answer. With Options.Origin, the
//     same GET again with that Origin header, for CORS.
//  2. GET {site}/.well-known/openid-configuration (and, on a 404 under a
//     prefix, {site}vforcesite/.well-known/openid-configuration, where LWR
//     sites serve it).
//  3. POST {site}/services/oauth2/authorize, Auth-Request-Type: Named-User,
//     response_type=code_credentials, the client_id, redirect_uri and
//     scope of the options, a random state and an S256 code_challenge, and
//     a throwaway identity that cannot exist — a random username under
//     .invalid (RFC 2606) and a random password — in a Basic header (or in
//     the body with Options.CredentialsInBody). An account that does not
//     exist cannot be locked out, and no user is created or messaged.
//     Only when the answer is the HTML login page does doctor send the same
//     request with the credentials in the other place, then (when a scope
//     was given) both again without scope: up to four requests in all.
//  4. The request that was taken as headless again, without code_challenge:
//     whether the app requires PKCE.
//
// The site's Date header of the first answer is compared with Options.Now.
//
// # Opt-in probes (Options.Probes)
//
//   - "passwordless": POST {site}/services/auth/headless/init/passwordless/login
//     with {"username":"<throwaway>@<random>.invalid","verificationmethod":"email"}
//     plus the reCAPTCHA token, integration token and email template of
//     Options.Init. The site answers an identifier; with no such user it
//     has no one to send a code to (and a .invalid address cannot receive
//     one).
//   - "forgot-password": POST {site}/services/auth/headless/forgot_password
//     with {"username":"<throwaway>"} plus Options.Init. The site answers
//     otp_sent for every username.
//   - "guest": POST {site}/services/oauth2/authorize with Auth-Request-Type:
//     guest and Uvid-Hint: UVID <fresh v4 UUID>, no credentials. The code
//     it earns is never exchanged and expires unused.
//
// # With real credentials
//
// With Options.Username, doctor logs in as sfecho login does (PKCE, state,
// the code from Location, the token exchange), saves nothing, reports the
// granted scopes, JWT or opaque tokens, whether a refresh token came,
// whether introspection and userinfo answer and the community URL, and
// then revokes the tokens it got.
package doctor
