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
