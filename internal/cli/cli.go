// Package cli wires sfecho's commands with cobra: flags, environment
// variables, prompts, output formats and exit codes. The flows themselves
// live in internal/flow; this package only gathers input and prints.
package cli

import (
	"context"
	"errors"
	"strings"

	"github.com/spf13/cobra"
)

// Run executes sfecho with args and returns the process exit code.
func Run(ctx context.Context, args []string, env *Env) int {
	var started bool
	env.jsonErrors = wantsJSON(args) // even a failure before -o is read answers in JSON
	env.ctx = ctx                    // a read of stdin ends at Ctrl-C or SIGTERM
	root := newRootCmd(env)
	// Errors before a command starts are cobra's: bad flags, unknown
	// commands, wrong argument counts. They are usage errors (exit 2).
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error { started = true; return startHAR(cmd, env) }
	root.SetArgs(args)
	root.SetIn(env.In)
	root.SetOut(env.Out)
	root.SetErr(env.Err)
	err := finishHAR(env, root.ExecuteContext(ctx))
	if err == nil {
		return ExitOK
	}
	var ce *Error
	if !started && !errors.As(err, &ce) {
		err = &Error{Code: ExitUsage, Msg: err.Error(), Advice: flagAdvice(err.Error())}
	}
	code := exitCode(ctx, err)
	printError(env.Err, code, err, env.secrets())
	if env.jsonErrors && !silenced(err) {
		writeJSONError(env.Out, code, err, env.secrets())
	}
	return code
}

func newRootCmd(env *Env) *cobra.Command {
	root := &cobra.Command{
		Use:   "sfecho",
		Short: "Log into a Salesforce Experience Cloud site without a browser (Headless Identity)",
		Long: `sfecho is a command-line client for Salesforce Headless Identity. It logs a customer
or partner user into an Experience Cloud site with the Authorization Code and Credentials
Flow (response_type=code_credentials), captures the 302 that carries the code, and
exchanges the code for tokens with PKCE.

Start with:  sfecho demo

` + exitHelp,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       versionString(env),
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.PersistentFlags().BoolP("verbose", "v", false, "print an HTTP trace on stderr, secrets masked (SFECHO_DEBUG=1)")
	root.PersistentFlags().String("profile", "", "named profile in the config file (SFECHO_PROFILE)")
	root.PersistentFlags().String("har", "", harFlagHelp)
	root.SetFlagErrorFunc(flagError)
	for _, add := range []func(*Env) *cobra.Command{
		newLoginCmd, newRegisterCmd, newForgotPasswordCmd, newGuestCmd, // the flows
		newTokenCmd, newRefreshCmd, newRevokeCmd, newLogoutCmd, newUserinfoCmd, newStatusCmd, newProfileCmd, newAPICmd, // sessions
		newEchoCmd, newDemoCmd, newSimCmd, newPKCECmd, newVersionCmd, newDoctorCmd, // tools
	} {
		root.AddCommand(add(env))
	}
	addProfileCompletion(root, env)
	root.InitDefaultCompletionCmd()
	if c, _, err := root.Find([]string{"completion"}); err == nil && c != root {
		c.Example = "  source <(sfecho completion bash)\n  sfecho completion zsh > \"${fpath[1]}/_sfecho\"\n  sfecho completion fish | source"
	}
	guardMistakes(root)
	return root
}

// flagAdvice answers the flags people reach for that sfecho refuses to
// have: no flag takes a secret's value (design.md, "Security rules").
func flagAdvice(msg string) string {
	for flag, advice := range map[string]string{
		"--password":      "no flag takes a password: use the prompt, --password-stdin or SFECHO_PASSWORD",
		"--client-secret": "no flag takes the secret: use --client-secret-file or SFECHO_CLIENT_SECRET",
		"--otp":           "no flag takes the code: use the prompt, the next stdin line or SFECHO_OTP",
		"--init-token":    "no flag takes the token: use --init-token-file or SFECHO_INIT_TOKEN",
	} {
		if strings.HasSuffix(msg, "unknown flag: "+flag) {
			return advice
		}
	}
	return ""
}

// wantsJSON reports whether the command line asks for JSON output (-o json
// in any spelling, or status --json), so that a failure found before the
// command reads its flags (a bad flag, an unreadable config file) still
// prints its JSON error object.
func wantsJSON(args []string) bool {
	for i, a := range args {
		switch {
		case a == "--":
			return false
		case a == "-o" || a == "--output":
			if i+1 < len(args) && args[i+1] == "json" {
				return true
			}
		case a == "-ojson", a == "-o=json", a == "--output=json", a == "--json":
			return true
		}
	}
	return false
}
