package doctor

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sfecho/sfecho/internal/flow"
)

// checkLogin logs in with the real credentials exactly as sfecho login
// does (nothing is saved), reports on the answer, and revokes the tokens
// it got.
func (r *runner) checkLogin(ctx context.Context) {
	if r.o.ClientID == "" {
		r.unknown(CheckLogin, "", "no --client-id: no login")
		return
	}
	c := &flow.Client{HTTP: r.o.HTTP, Site: r.site, ClientID: r.o.ClientID, ClientSecret: r.o.ClientSecret,
		RedirectURI: r.o.RedirectURI, Scope: r.o.Scope}
	inBody := r.o.CredentialsInBody
	if r.headless {
		inBody = r.working.inBody // what the app probe found works
	}
	tok, err := c.Login(ctx, flow.Authorization{User: r.o.Username, Secret: r.o.Password, InBody: inBody,
		Capture: flow.CaptureLocation}, nil)
	if err != nil {
		r.flowFailure(CheckLogin, err)
		return
	}
	how := placement(inBody)
	r.pass(CheckLogin, "logged in as "+clean(r.o.Username)+" with the credentials "+how+" (nothing saved)")
	r.checkScopes(tok)
	r.checkTokenFormat(tok)
	r.checkRefreshToken(tok)
	r.checkIntrospection(ctx, c, tok)
	r.checkUserinfo(ctx, c, tok)
	r.checkCommunityURL(tok)
	r.cleanup(ctx, c, tok)
}

// flowFailure reports an error from internal/flow with its advice, and the
// errors.md entry that advice comes from.
func (r *runner) flowFailure(name string, err error) {
	a := flow.AdviceOf(err)
	kind := flow.KindOf(err)
	if kind == flow.KindUnexpected {
		kind = flow.KindSetup
	}
	r.add(Check{Check: name, Status: Failed, Detail: clean(err.Error()), Advice: a, ErrorsMD: entryOf(a), Kind: kind})
}

func (r *runner) checkScopes(tok *flow.Token) {
	granted := strings.Fields(tok.Scope)
	if len(granted) == 0 {
		r.unknown(CheckScopes, "", "the token response named no scope")
		return
	}
	var missing []string
	for _, s := range strings.Fields(r.o.Scope) {
		if !slices.Contains(granted, s) {
			missing = append(missing, s)
		}
	}
	if len(missing) > 0 {
		r.fail(CheckScopes, flow.KindSetup, "A13", "granted "+clean(tok.Scope)+"; not granted: "+clean(strings.Join(missing, " ")))
		return
	}
	r.pass(CheckScopes, "granted "+clean(tok.Scope))
}

func (r *runner) checkTokenFormat(tok *flow.Token) {
	exp, isJWT := flow.JWTExpiry(tok.AccessToken)
	switch {
	case isJWT:
		r.pass(CheckTokens, fmt.Sprintf("JWT-based access token, expires %s (in %s)", exp.UTC().Format(time.RFC3339),
			exp.Sub(r.now()).Round(time.Minute)))
	case strings.EqualFold(tok.TokenFormat, "jwt"):
		r.pass(CheckTokens, "JWT-based access token (token_format jwt)")
	default:
		f := tok.TokenFormat
		if f == "" {
			f = "none given"
		}
		r.pass(CheckTokens, "opaque access token (token_format "+clean(f)+"): sfecho learns its expiry by introspection; the guest flow needs JWT-based tokens")
	}
}

func (r *runner) checkRefreshToken(tok *flow.Token) {
	if tok.RefreshToken == "" {
		r.fail(CheckRefreshToken, flow.KindSetup, "T8", "none issued: sfecho token cannot renew the session")
		return
	}
	r.pass(CheckRefreshToken, "issued: sfecho token can renew the session")
}

func (r *runner) checkIntrospection(ctx context.Context, c *flow.Client, tok *flow.Token) {
	in, err := c.Introspect(ctx, tok.CommunityURL, tok.AccessToken, "access_token")
	switch {
	case err != nil:
		r.unknown(CheckIntrospection, "U5", "no answer for this app ("+clean(err.Error())+"): sfecho token then assumes --session-lifetime")
	case !in.Active:
		r.unknown(CheckIntrospection, "U5", "answers, but calls the fresh access token inactive")
	case in.Exp > 0:
		r.pass(CheckIntrospection, "answers: active, expires "+in.Expiry().UTC().Format(time.RFC3339))
	default:
		r.pass(CheckIntrospection, "answers: active, without exp (sfecho token then assumes --session-lifetime)")
	}
}

func (r *runner) checkUserinfo(ctx context.Context, c *flow.Client, tok *flow.Token) {
	raw, err := c.Userinfo(ctx, tok.CommunityURL, tok.AccessToken)
	if err != nil {
		r.flowFailure(CheckUserinfo, err)
		return
	}
	var ui struct {
		PreferredUsername string `json:"preferred_username"`
		UserType          string `json:"user_type"`
	}
	_ = json.Unmarshal(raw, &ui)
	d := "answers"
	if ui.PreferredUsername != "" {
		d += " for " + clean(ui.PreferredUsername)
	}
	if ui.UserType != "" {
		d += " (user_type " + clean(ui.UserType) + ")"
	}
	r.pass(CheckUserinfo, d)
}

func (r *runner) checkCommunityURL(tok *flow.Token) {
	u := clean(tok.CommunityURL)
	switch {
	case u == "":
		r.unknown(CheckCommunityURL, "", "the answer carried no sfdc_community_url: sfecho uses --site")
	case strings.TrimRight(u, "/") == r.site.String():
		r.pass(CheckCommunityURL, u)
	default:
		r.pass(CheckCommunityURL, u+" (not --site: sfecho sends the token step and session calls there)")
	}
}

// cleanup revokes the tokens the login got: revoking the refresh token
// revokes its access tokens too (protocol.md §9). A login leaves a grant
// that counts toward the app's per-user limit (errors.md T5), so doctor
// does not leave it live.
func (r *runner) cleanup(ctx context.Context, c *flow.Client, tok *flow.Token) {
	t := tok.RefreshToken
	if t == "" {
		t = tok.AccessToken
	}
	if err := c.Revoke(ctx, tok.CommunityURL, t); err != nil {
		r.unknown(CheckCleanup, "", "could not revoke the tokens of this check ("+clean(err.Error())+"): they stay valid until they expire")
		return
	}
	r.pass(CheckCleanup, "the tokens of this check were revoked")
}
