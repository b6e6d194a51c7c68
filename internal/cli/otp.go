package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/sfecho/sfecho/internal/flow"
)

// otpOptions are the OTP step's inputs: the verification method, and the
// two-step mode for scripts (--init-only, then --identifier).
type otpOptions struct {
	Method     string
	InitOnly   bool
	Identifier string
}

func (o *otpOptions) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Method, "method", "email", "how the site sends the one-time password: email or sms")
	fs.BoolVar(&o.InitOnly, "init-only", false, `run the init step only and print {"identifier","method"} on stdout`)
	fs.StringVar(&o.Identifier, "identifier", "", "skip the init step: redeem an OTP for this identifier from an earlier --init-only (SFECHO_IDENTIFIER)")
}

// resolve validates the method and reads SFECHO_IDENTIFIER.
func (o *otpOptions) resolve(env *Env) error {
	o.Method = strings.ToLower(strings.TrimSpace(o.Method))
	if err := flow.CheckMethod(o.Method); err != nil {
		return err
	}
	if o.Identifier == "" {
		o.Identifier = strings.TrimSpace(env.getenv("SFECHO_IDENTIFIER"))
	}
	if o.InitOnly && o.Identifier != "" {
		return usagef("--init-only and --identifier exclude each other: the first starts a flow, the second finishes one")
	}
	return nil
}

// known returns the challenge given with --identifier, or nil.
func (o *otpOptions) known() *flow.Challenge {
	if o.Identifier == "" {
		return nil
	}
	return &flow.Challenge{Identifier: o.Identifier, Method: o.Method}
}

// writeChallenge prints an init step's result for --init-only. The
// identifier is masked in traces but printed here, because it was asked
// for: it is useless without the OTP.
func writeChallenge(env *Env, format string, ch *flow.Challenge) error {
	if format == "text" {
		_, err := fmt.Fprintf(env.Out, "identifier %s\nmethod     %s\n", ch.Identifier, ch.Method)
		return err
	}
	b, err := json.Marshal(ch)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(env.Out, "%s\n", b)
	return err
}

// readOTP reads the one-time password once the init step has succeeded:
// SFECHO_OTP, else a prompt on the terminal, else the next line of stdin
// (so a script can wait for the code and then write it).
// secondStep is true when the second step of the two-step form is the one
// running; otherwise the advice names flag, the way to that step.
func readOTP(ctx context.Context, env *Env, method string, secondStep bool, flag string) (string, error) {
	later := flag
	if secondStep {
		later = ""
	}
	spec := secretSpec{name: "OTP", envVar: "SFECHO_OTP", lineFallback: true,
		prompt: "Verification code (sent by " + method + "): "}
	if env.getenv("SFECHO_OTP") == "" && !env.InTTY {
		fmt.Fprintf(env.Err, "Reading the verification code (sent by %s) from the next line of stdin.\n", method)
	}
	v, err := awaitInput(ctx, env, func() (string, error) { return secretInput(env, spec) })
	if errors.Is(err, context.Canceled) {
		return "", err
	}
	if err != nil {
		advice := "give the code as SFECHO_OTP or the next stdin line"
		if later != "" {
			advice += ", or use --init-only and later " + later
		}
		return "", &Error{Code: ExitUsage, Msg: err.Error(), Advice: advice}
	}
	return strings.TrimSpace(v), nil
}
