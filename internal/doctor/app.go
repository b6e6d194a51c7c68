package doctor

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/sfecho/sfecho/internal/flow"
	"github.com/sfecho/sfecho/internal/pkce"
)

// variant is the shape of a probe: where the credentials go and which
// scope is asked for.
type variant struct {
	inBody bool
	scope  string
}

// authProbe is one POST to the authorize endpoint.
type authProbe struct {
	variant
	requestType string      // Auth-Request-Type
	creds       bool        // send throwaway credentials
	challenge   bool        // send a code_challenge
	header      http.Header // extra headers (guest)
}

// authorize sends p to {site}/services/oauth2/authorize with a throwaway
// identity, as sfecho login would send a real one: Basic (standard padded
// base64) or username/password form fields, a random state, and an S256
// code_challenge without code_challenge_method, as Salesforce's own
// clients send it (protocol.md §1).
func (r *runner) authorize(ctx context.Context, p authProbe) answer {
	form := url.Values{
		"response_type": {"code_credentials"},
		"client_id":     {r.o.ClientID},
		"redirect_uri":  {r.redirectURI()},
		"state":         {randHex(16)},
	}
	if p.scope != "" {
		form.Set("scope", p.scope)
	}
	if p.challenge {
		form.Set("code_challenge", pkce.ChallengeS256(pkce.NewVerifier()))
	}
	hdr := http.Header{"Auth-Request-Type": {p.requestType}}
	for k, v := range p.header {
		hdr[k] = v
	}
	if p.creds {
		user, pw := throwaway(), randHex(16)
		if p.inBody {
			form.Set("username", user)
			form.Set("password", pw)
		} else {
			hdr.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(user+":"+pw)))
		}
	}
	return r.post(ctx, flow.Endpoint(r.site, flow.PathAuthorize), "application/x-www-form-urlencoded",
		[]byte(form.Encode()), hdr)
}

func (r *runner) redirectURI() string {
	if r.o.RedirectURI != "" {
		return r.o.RedirectURI
	}
	return flow.DefaultRedirectURI(r.site)
}

// verdict is what an authorize answer says.
type verdict struct {
	status   Status
	kind     flow.Kind
	id       string
	detail   string
	html     bool      // not taken as headless: the HTML login page
	headless bool      // taken as headless; only the credentials were refused
	code     bool      // a code came back
	oauth    [2]string // error and description, when the answer had them
}

// judge reads an authorize answer in errors.md's order: transport, 5xx,
// 404, HTML, redirect, JSON error.
func (r *runner) judge(a answer) verdict {
	st := a.status()
	switch {
	case a.err != nil:
		return verdict{status: Failed, kind: flow.KindNetwork, id: "N5", detail: "no answer: " + clean(opReason(unwrapURL(a.err)))}
	case st >= 500 || st == http.StatusTooManyRequests:
		if e, d, ok := oauthError(a.body); ok && e == "rate_limit_exceeded" {
			return verdict{status: Failed, kind: flow.KindNetwork, id: "A12", detail: e + ": " + d}
		}
		return verdict{status: Failed, kind: flow.KindNetwork, id: "N6", detail: fmt.Sprintf("the site answered %d", st)}
	case st == http.StatusNotFound:
		return verdict{status: Failed, kind: flow.KindSetup, id: "N2",
			detail: "no authorize endpoint at " + flow.Endpoint(r.site, flow.PathAuthorize) + " (404)"}
	case a.isHTML():
		return verdict{html: true, detail: fmt.Sprintf("the HTML login page (%d)", st)}
	case st >= 300 && st < 400:
		return r.judgeRedirect(a)
	}
	if e, d, ok := oauthError(a.body); ok {
		return judgeOAuth(e, d)
	}
	if st == http.StatusOK && a.isJSON() {
		var m map[string]any
		if jsonObject(a.body, &m) && m["code"] != nil {
			return verdict{status: Unknown, code: true, detail: "the site answered a code as JSON"}
		}
	}
	return verdict{status: Unknown, detail: fmt.Sprintf("an answer that fits no known case: %d %s", st, clean(a.mediaType()))}
}

// judgeRedirect reads a 3xx: to the callback with code or error, to the
// site's own login page (not headless, errors.md A5), or elsewhere (E3).
func (r *runner) judgeRedirect(a answer) verdict {
	loc, err := a.resp.Location()
	if err != nil {
		return verdict{status: Failed, kind: flow.KindSetup, id: "A5", detail: "a redirect without a usable Location"}
	}
	cb, _ := url.Parse(r.redirectURI())
	onCallback := cb != nil && strings.EqualFold(loc.Host, cb.Host) && strings.TrimRight(loc.Path, "/") == strings.TrimRight(cb.Path, "/")
	q := loc.Query()
	switch {
	case onCallback && q.Get("error") != "":
		return judgeOAuth(clean(q.Get("error")), clean(q.Get("error_description")))
	case onCallback && q.Get("code") != "":
		return verdict{status: Passed, code: true, detail: "a redirect to the callback with a code"}
	case onCallback:
		return verdict{status: Failed, kind: flow.KindSetup, id: "A5", detail: "a redirect to the callback with neither code nor error"}
	case strings.EqualFold(loc.Host, r.site.Host):
		return verdict{html: true, detail: "a redirect to the site's login page " + clean(loc.Path)}
	}
	return verdict{status: Failed, kind: flow.KindSecurity, id: "E3", detail: "a redirect to " + clean(loc.Host)}
}

// judgeOAuth maps an OAuth error to its errors.md entry. An invalid_grant
// that names no other cause is the throwaway identity refused: the request
// was taken as headless.
func judgeOAuth(code, desc string) verdict {
	d := strings.ToLower(desc)
	v := verdict{status: Failed, kind: flow.KindSetup, detail: code, oauth: [2]string{code, desc}}
	if desc != "" {
		v.detail += ": " + desc
	}
	switch {
	case code == "oauth_flow_disabled", strings.Contains(d, "credential") && strings.Contains(d, "not enabled"):
		v.id = "A4" // an invalid_client about the flow, not the secret (errors.md A4)
	case strings.Contains(d, "guest flow not enabled"):
		v.id = "A18"
	case code == "invalid_client_id":
		v.id = "A1"
	case code == "redirect_uri_mismatch", code == "redirect_uri_missing":
		v.id = "A2"
	case code == "unsupported_response_type":
		v.id = "A3"
	case code == "invalid_scope":
		v.id = "A13"
	case code == "invalid_app_access":
		v.id = "A8"
	case code == "inactive_org":
		v.id = "A11"
	case code == "rate_limit_exceeded":
		v.id, v.kind = "A12", flow.KindNetwork
	case code == "invalid_request" && strings.Contains(d, "code challenge"):
		v.id = "A16"
	case code == "invalid_request" && strings.Contains(d, "uvid"):
		v.id = "A17"
	case code == "invalid_request" && (strings.Contains(d, "https required") || strings.Contains(d, "must use http")):
		v.id, v.kind = "A15", flow.KindUsage
	case code == "invalid_grant" && strings.Contains(d, "ip restricted"):
		v.id = "A7"
	case code == "invalid_grant" && strings.Contains(d, "approved this consumer"):
		v.id = "A9"
	case code == "invalid_grant", code == "inactive_user":
		return verdict{headless: true, detail: v.detail, oauth: v.oauth}
	default:
		v.status, v.kind = Unknown, 0
	}
	return v
}

// oauthError reads {"error","error_description"} (or Salesforce's REST
// shape [{"errorCode","message"}]) from a body.
func oauthError(body []byte) (code, desc string, ok bool) {
	var b struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
		ErrorCode   string `json:"errorCode"`
		Message     string `json:"message"`
	}
	if json.Unmarshal(body, &b) != nil || (b.Error == "" && b.ErrorCode == "") {
		var arr []struct {
			ErrorCode string `json:"errorCode"`
			Message   string `json:"message"`
		}
		if json.Unmarshal(body, &arr) != nil || len(arr) == 0 || arr[0].ErrorCode == "" {
			return "", "", false
		}
		return clean(arr[0].ErrorCode), clean(arr[0].Message), true
	}
	if b.Error == "" {
		b.Error, b.Description = b.ErrorCode, b.Message
	}
	if b.Description == "" {
		b.Description = b.Message
	}
	return clean(b.Error), clean(b.Description), true
}

// checkApp is the app-and-flow verdict: one headless authorize with a
// throwaway identity. Only an HTML login page leads to more probes: the
// other credentials placement, then without --scope, which tell the
// POST-body setting and a scope the app lacks from the flow being off.
func (r *runner) checkApp(ctx context.Context) {
	if r.o.ClientID == "" {
		r.add(Check{Check: CheckApp, Status: Unknown,
			Detail: "no --client-id: the app and its flow were not checked", Advice: "pass --client-id (the app's Consumer Key)"})
		return
	}
	first := variant{inBody: r.o.CredentialsInBody, scope: r.o.Scope}
	variants := []variant{first, {inBody: !first.inBody, scope: first.scope}}
	if first.scope != "" {
		variants = append(variants, variant{inBody: first.inBody}, variant{inBody: !first.inBody})
	}
	for i, v := range variants {
		vd := r.judge(r.authorize(ctx, authProbe{variant: v, requestType: flow.RequestNamedUser, creds: true, challenge: true}))
		if vd.html && i < len(variants)-1 {
			continue
		}
		r.appVerdict(first, v, vd, len(variants) > 2)
		return
	}
}

// appVerdict reports the answer to the probe that got past the HTML login
// page (v), or the last one.
func (r *runner) appVerdict(first, v variant, vd verdict, scoped bool) {
	switch {
	case vd.html:
		tried := "with Basic and with POST-body credentials"
		if scoped {
			tried += ", with and without --scope"
		}
		r.fail(CheckApp, flow.KindSetup, "A4", "every probe got "+vd.detail+", "+tried+
			": the org's Code and Credentials switch or the app's flow setting is off (errors.md A5), or the site is not active (N3)")
	case vd.headless:
		r.headless, r.working = true, v
		r.appSetUp(first, v, vd)
	case vd.code:
		r.unknown(CheckApp, "", "the site answered "+vd.detail+" for an identity that cannot exist")
	case vd.status == Unknown:
		r.unknown(CheckApp, "", "authorize answered "+vd.detail+probeNote(first, v))
	default:
		r.fail(CheckApp, vd.kind, vd.id, vd.detail+probeNote(first, v))
	}
}

// appSetUp reports a probe taken as headless: passed if it was the first,
// else which setting the first one ran into.
func (r *runner) appSetUp(first, v variant, vd verdict) {
	refused := "the site took the request as headless and refused only the throwaway credentials (" + vd.detail + ")"
	switch {
	case v == first:
		r.pass(CheckApp, refused+": org switch, app, callback, scopes and flow are set up")
	case v.scope == first.scope:
		r.fail(CheckApp, flow.KindSetup, "A5", bodyNote(first)+"; "+refused+" with them "+placement(v.inBody))
	default:
		d := fmt.Sprintf("with --scope %q the site answered the HTML login page, without it %s: a scope in --scope is not selected on the app", first.scope, refused)
		if v.inBody != first.inBody {
			d += "; and " + bodyNote(first)
		}
		r.fail(CheckApp, flow.KindSetup, "A13", d)
	}
}

func bodyNote(first variant) string {
	if first.inBody {
		return "credentials in the POST body got the HTML login page: drop --credentials-in-body"
	}
	return `Basic credentials got the HTML login page: the app has "Require user credentials in the POST body" on; pass --credentials-in-body`
}

func placement(inBody bool) string {
	if inBody {
		return "in the POST body"
	}
	return "in a Basic header"
}

// probeNote says how the probe that answered differed from the first.
func probeNote(first, v variant) string {
	var d []string
	if v.inBody != first.inBody {
		d = append(d, "credentials "+placement(v.inBody))
	}
	if v.scope != first.scope {
		d = append(d, "no scope")
	}
	if len(d) == 0 {
		return ""
	}
	return " (after the HTML login page, with " + strings.Join(d, " and ") + ")"
}

// checkPKCE repeats the probe that was taken as headless without a
// code_challenge: an app with "Require PKCE" refuses it (errors.md A16).
func (r *runner) checkPKCE(ctx context.Context) {
	if !r.headless {
		r.unknown(CheckPKCE, "", "not checked: the app probe did not get through")
		return
	}
	vd := r.judge(r.authorize(ctx, authProbe{variant: r.working, requestType: flow.RequestNamedUser, creds: true}))
	switch {
	case vd.headless:
		r.pass(CheckPKCE, "not required by the app (sfecho always sends S256; Require PKCE is recommended for public clients)")
	case vd.id == "A16":
		r.pass(CheckPKCE, "required by the app: authorize without code_challenge was refused ("+vd.detail+"); sfecho always sends one")
	default:
		r.unknown(CheckPKCE, "", "authorize without code_challenge answered "+vd.detail)
	}
}
