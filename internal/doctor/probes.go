package doctor

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/sfecho/sfecho/internal/flow"
)

// checkProbes runs the opt-in probes the caller asked for, in a fixed order.
func (r *runner) checkProbes(ctx context.Context) {
	if slices.Contains(r.o.Probes, ProbePasswordless) {
		body := map[string]any{"username": throwaway(), "verificationmethod": flow.MethodEmail}
		r.initProbe(ctx, CheckPasswordless, flow.PathInitPasswordless, body, func(m map[string]any) bool {
			id, _ := m["identifier"].(string)
			return id != ""
		}, "the site answered an identifier for a user that cannot exist (no code can be sent to a .invalid address)")
	}
	if slices.Contains(r.o.Probes, ProbeForgotPassword) {
		body := map[string]any{"username": throwaway()}
		r.initProbe(ctx, CheckForgotPassword, flow.PathForgotPassword, body, func(m map[string]any) bool {
			return m["status_code"] == "otp_sent"
		}, "the site answered otp_sent, as it does for every username (this one cannot exist, so no code is sent)")
	}
	if slices.Contains(r.o.Probes, ProbeGuest) {
		r.checkGuest(ctx)
	}
}

// initProbe posts body to a headless init endpoint with the caller's
// reCAPTCHA token, integration token and email template, and judges the
// answer (errors.md §I; the error bodies are [UNCONFIRMED], so keywords
// decide).
func (r *runner) initProbe(ctx context.Context, name, path string, body map[string]any, ok func(map[string]any) bool, okDetail string) {
	in := r.o.Init
	switch {
	case in.RecaptchaEvent != nil:
		body["recaptchaevent"] = in.RecaptchaEvent
	case in.Recaptcha != "":
		body["recaptcha"] = in.Recaptcha
	}
	if in.EmailTemplate != "" {
		body["emailtemplate"] = in.EmailTemplate
	}
	raw, _ := json.Marshal(body)
	hdr := http.Header{}
	if in.Token != "" {
		hdr.Set("Authorization", "Bearer "+in.Token)
	}
	target := flow.Endpoint(r.site, path)
	a := r.post(ctx, target, "application/json", raw, hdr)
	var m map[string]any
	st := a.status()
	switch {
	case a.err != nil:
		r.transportFailure(name, a.err)
	case st >= 500 || st == http.StatusTooManyRequests:
		r.fail(name, flow.KindNetwork, "N6", fmt.Sprintf("%s answered %d", target, st), "<status>", fmt.Sprint(st))
	case st/100 == 2 && jsonObject(a.body, &m) && ok(m):
		r.pass(name, "on: "+okDetail)
	case st == http.StatusNotFound && !a.isJSON():
		r.fail(name, flow.KindSetup, "I3", fmt.Sprintf("no endpoint at %s (404): the flow is off, or the site prefix is wrong", target))
	default:
		r.initFailure(name, a)
	}
}

// initFailure places an init endpoint's error answer.
func (r *runner) initFailure(name string, a answer) {
	code, desc, _ := oauthError(a.body)
	what := strings.TrimSpace(code + ": " + desc)
	if code == "" {
		what = fmt.Sprintf("%d %s", a.status(), clean(a.mediaType()))
	}
	t := strings.ToLower(code + " " + desc)
	in := r.o.Init
	hasCaptcha := in.Recaptcha != "" || in.RecaptchaEvent != nil
	switch {
	case strings.Contains(t, "captcha") && hasCaptcha:
		r.fail(name, flow.KindSetup, "I1", "the site refused the reCAPTCHA token ("+what+")")
	case strings.Contains(t, "captcha"):
		r.unknown(name, "I1", "on, and it requires a reCAPTCHA token ("+what+"): pass --recaptcha (or SFECHO_RECAPTCHA) to check further")
	case strings.Contains(t, "not enabled") || strings.Contains(t, "disabled") || strings.Contains(t, "not allowed"):
		r.fail(name, flow.KindSetup, "I3", "off ("+what+")")
	case strings.Contains(t, "template"):
		r.unknown(name, "I6", "on, and it allowlists email templates ("+what+"): pass --email-template to check further")
	case a.status() == http.StatusUnauthorized || a.status() == http.StatusForbidden || strings.Contains(t, "bearer"):
		if in.Token != "" {
			r.fail(name, flow.KindSetup, "I2", "the site refused the integration token ("+what+")")
			return
		}
		r.unknown(name, "I2", "on, and it requires an integration user's token ("+what+"): set SFECHO_INIT_TOKEN or --init-token-file to check further")
	default:
		r.unknown(name, "", "the site answered "+what)
	}
}

// checkGuest sends one guest authorize (Auth-Request-Type: guest,
// Uvid-Hint: UVID <fresh v4 UUID>, no credentials); the code it earns is
// never exchanged and expires unused.
func (r *runner) checkGuest(ctx context.Context) {
	if r.o.ClientID == "" {
		r.unknown(CheckGuest, "", "no --client-id: not checked")
		return
	}
	v := r.working
	if !r.headless {
		v = variant{scope: r.o.Scope}
	}
	hdr := http.Header{"Uvid-Hint": {"UVID " + flow.NewUVID()}}
	vd := r.judge(r.authorize(ctx, authProbe{variant: v, requestType: flow.RequestGuest, challenge: true, header: hdr}))
	switch {
	case vd.code:
		r.pass(CheckGuest, "on: the site issued a code for a fresh UVID (never exchanged; it expires unused)")
	case vd.html:
		r.fail(CheckGuest, flow.KindSetup, "A5", "the guest authorize got "+vd.detail)
	case vd.id == "A17":
		r.fail(CheckGuest, flow.KindSetup, "A17", vd.detail+": the UVID sent was a valid v4 UUID, so the connection may not be HTTP/2")
	case vd.status == Failed:
		r.fail(CheckGuest, vd.kind, vd.id, vd.detail)
	default:
		r.unknown(CheckGuest, "", "the guest authorize answered "+vd.detail)
	}
}
