package doctor

import (
	"context"
	"fmt"
	"strings"

	"github.com/sfecho/sfecho/internal/flow"
)

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
