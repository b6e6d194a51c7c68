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
// Config.PathPrefix; it is what sfdc_community_url carries. The site is safe
// for concurrent use; every request counts in [Site.Requests].
//
// # Endpoints (all under Config.PathPrefix)
//
//   - POST /services/oauth2/authorize, response_type=code_credentials, with
//     Auth-Request-Type Named-User (Basic or POST-body credentials, or
//     login_hint+password), passwordless-login and user-registration (Basic
//     identifier:otp plus Auth-Verification-Type), or guest (Uvid-Hint
//     "UVID <v4 uuid>" or "JWT <guest token>", or a uvid_hint field). A
//     named, passwordless or registration authorize may carry a guest
//     context: the plain UUID in uvid_hint or the guest's JWT in Uvid-Hint,
//     never both and never prefixed (protocol.md §7, Q5), else "uvid
//     invalid".
//     Success is a 302 to redirect_uri with code, sfdc_community_url,
//     sfdc_community_id and state (when sent), no body. Codes look like
//     Salesforce's ("aPrx" + 80 base64url characters ending "==", so
//     Location carries %3D%3D), are single-use, and live Config.CodeTTL.
//   - GET /services/oauth2/authorize, response_type=code: the browser flow's
//     HTML login page (form ids #username, #password, #login, #deny); its
//     form POST answers the 302 with code, state and sfdc_community_url, or
//     error=access_denied (protocol.md §10).
//   - POST /services/oauth2/token: authorization_code (PKCE checked with
//     pkce.Verify: verifiers of 43 to 171 characters, as Salesforce's own
//     clients send 171) and refresh_token (rotation and reuse detection). The
//     answer has the fields of protocol.md TV3 in its order, issued_at in ms
//     as a string, a signature (keyed with the app's secret, or for a public
//     app with one the client never sees, TV3), refresh_token when
//     the refresh_token (or offline_access) scope is granted, id_token
//     (ES256) with openid, and never expires_in. Omitting scope grants every
//     app scope, as Salesforce does.
//   - GET /services/oauth2/echo: the query as a JSON object (first value of
//     each key, malformed escapes tolerated as in TV14), with CORS and a 204
//     preflight; with Config.CORSOrigins, an Origin not on the list gets 403
//     (errors.md B5).
//   - GET|POST /services/oauth2/userinfo and GET /id/<org>/<user>: the user
//     as protocol.md TV9; a bad, expired or revoked token gets 403
//     text/plain Bad_OAuth_Token, none at all Missing_OAuth_Token.
//   - POST|GET /services/oauth2/revoke: 200; an unknown or revoked token 400
//     invalid_token; revoking a refresh token revokes its family.
//   - POST /services/oauth2/introspect (RFC 7662; 401 invalid_client for bad
//     client credentials; {"active":false} for dead tokens).
//     Config.IntrospectDisabled makes it 404.
//   - POST /services/auth/headless/init/passwordless/login,
//     /services/auth/headless/init/registration and
//     /services/auth/headless/forgot_password (protocol.md §4–§6), each
//     governed by a [Flow] in Config.
//   - GET /.well-known/openid-configuration and /id/keys (the JWKS that
//     verifies id_tokens and JWT access tokens).
//   - The REST API, under the prefix (sfdc_community_url) and also at the
//     origin's root (instance_url): GET /services/data/ lists versions
//     ([{"label","url","version"}], no session needed); under
//     /services/data/vNN.N/ the resources map, query?q= over a fixed set
//     of Accounts (SELECT fields FROM Account [WHERE f = 'x'] [ORDER BY f
//     [ASC|DESC]] [LIMIT n]) in batches of Config.QueryBatchSize with
//     nextRecordsUrl (query/01g…-2000), sobjects/Account (GET, POST 201
//     {"id","success","errors"}), sobjects/Account/{id} (GET, PATCH 204,
//     DELETE 204) and chatter/users/me; /services/apexrest/… echoes method,
//     path, query and body. Errors are Salesforce's array
//     [{"message","errorCode"}]: 404 NOT_FOUND, 400 MALFORMED_QUERY,
//     INVALID_FIELD, INVALID_TYPE, REQUIRED_FIELD_MISSING, 405
//     METHOD_NOT_ALLOWED; a missing, unknown, expired or revoked token (or
//     one without the api scope) is 401 INVALID_SESSION_ID.
//
// Anything else is the site's HTML 404 page. Every answer's Date header
// comes from Config.Now, so a site whose clock is off can be simulated. The site never answers 5xx
// unless a [Failure] asks it to.
//
// # Choices where Salesforce is undocumented
//
// Where protocol.md marks a fact [UNCONFIRMED] or [3P] the site picks the
// most likely behaviour and says so at the code that does it:
//
//   - No Auth-Request-Type, a scope the app lacks (commas included), a
//     Basic header while CredentialsInBody is on, or FlowDisabled with
//     Config.FlowDisabledError [FlowDisabledHTML]: 200 HTML login page.
//     FlowDisabled by default answers 400 invalid_client "code credential
//     flow not enabled", as seen on the wire (errors.md A4).
//   - An unknown Auth-Request-Type ("Guest-User"): 400 invalid_request
//     "invalid headers". GET authorize with CredentialsInBody: 400
//     invalid_request "Must use HTTP POST". Without CredentialsInBody both
//     Basic and username/password fields are accepted.
//   - Basic credentials are standard padded base64 only (RFC 7617): the
//     URL-safe or unpadded form gets the edge's generic 400 HTML error page,
//     not an OAuth error (protocol.md §1). They split at the first ':' (a
//     password may hold ':'), nothing trimmed; a Basic header without ':',
//     or none at all, is 400 invalid_basic_auth_header (with CredentialsInBody, missing
//     fields are 400 invalid_request). Wrong password or unknown user: 400
//     invalid_grant "authentication failure"; inactive user: 400
//     inactive_user.
//   - code_challenge must be 43 base64url characters; a code_challenge_method
//     other than S256 is 400 invalid_request.
//   - Token: a code is consumed by its first exchange attempt, good or bad;
//     used or expired is 400 invalid_grant "expired authorization code". GET
//     is 400 unsupported_grant_type "grant type not supported" (a POST
//     turned into a GET by a redirect). A public client sending a secret is
//     400 invalid_client.
//   - Init endpoints use the OAuth error shape with keywords a client can
//     match: flow off 400 invalid_request "... is not enabled for this
//     site"; reCAPTCHA missing or [BadRecaptcha] 400 invalid_request
//     "recaptcha ..."; integration token missing or wrong 401 invalid_token;
//     emailtemplate not allowlisted 400 invalid_request; duplicate username
//     400 registration_error "DUPLICATE_USERNAME: ..." (at init and again at
//     authorize); a password inside userdata is ignored (protocol.md §5), so
//     only the top-level one counts; weak password (under 8 characters, or no letter or digit)
//     "INVALID_NEW_PASSWORD: ..." (registration_error at registration,
//     invalid_request at the forgot-password change).
//   - OTP authorize: wrong OTP 400 invalid_grant "invalid one-time
//     password"; unknown, spent or expired identifier 400 invalid_grant
//     "invalid or expired identifier"; Auth-Verification-Type differing from
//     the init method 400 invalid_request. Config.MaxOTPAttempts wrong OTPs
//     spend the OTP. Passwordless init answers success for unknown users but
//     sends no OTP; forgot password answers otp_sent and, at the change
//     step, one error for every failure, so neither reveals who exists.
//   - Guest: Config.Guest off is 400 invalid_request "guest flow not
//     enabled"; a missing or malformed hint 400 invalid_request "uvid
//     invalid"; the token step needs Auth-Request-Type guest and the bare
//     UVID in Uvid-Hint (else 400 unknown_error, or "uvid invalid" when it
//     differs). Guest tokens are ES256 JWTs (token_format "jwt") with a uvid
//     claim; a UVID linked to a named login shows as "uvid" in userinfo and
//     introspect (and as a claim when Config.JWTAccessTokens).
//
// # Failure injection
//
// [Site.Fail] (or Config.Fail) makes an endpoint, named by one of the
// Endpoint* constants (EndpointAny for all), answer a canned status and
// body, drop the connection, hang until the client gives up or
// [Site.Close], answer after a delay, or cut its JSON short, for the next
// Failure.Times requests (0: until [Site.ClearFailures]).
//
// # Counters
//
// [Site.OTPsSent], [Site.UsersCreated] and [Site.FailedLogins] count what
// requests made the site do to people: OTPs sent, users created by
// registration, and wrong passwords for existing members (what lockout
// counts). sfecho doctor's tests assert its default run leaves all three
// at zero.
//
// # OTP delivery
//
// Passwordless, registration and forgot-password OTPs are written to
// Config.Outbox, one line each, and to Config.Logf:
//
//	2026-01-02T03:04:05Z otp=123456 flow=passwordless method=email to=alice@example.com identifier=Xy.. username=alice@example.com
//
// (flow is passwordless, registration or forgot_password; forgot-password
// lines have no identifier). [Site.LastOTP] returns the last OTP sent for an
// identifier, a username, or the address it went to.
package sim
