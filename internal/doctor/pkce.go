package doctor

import (
	"context"

	"github.com/sfecho/sfecho/internal/flow"
)

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
