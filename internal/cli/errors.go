package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/sfecho/sfecho/internal/flow"
	"github.com/sfecho/sfecho/internal/safetext"
)

// Exit codes (design.md). They are part of the CLI contract.
const (
	ExitOK          = 0
	ExitError       = 1
	ExitUsage       = 2
	ExitRejected    = 3
	ExitNoSession   = 4
	ExitSetup       = 5
	ExitNetwork     = 6
	ExitSecurity    = 7
	ExitInterrupted = 130
)

// exitHelp is the table printed by sfecho --help.
const exitHelp = `Exit codes:
  0    success
  1    unexpected failure
  2    usage or local configuration error (bad flag, missing input, unreadable file)
  3    the site rejected the credentials, OTP, code or refresh token
  4    no saved session, or it can no longer be refreshed: log in again
  5    the site or app is not set up for this flow (invalid_client_id, redirect_uri_mismatch, flow not enabled,
       HTML login page, 404)
  6    network, TLS, timeout, or a 5xx from the site
  7    a security check failed (state mismatch, signature mismatch, redirect to an unexpected host)
  130  interrupted`

// usageError is a bad flag or missing input: exit 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// exitError carries an explicit exit code and an optional advice line.
type exitError struct {
	code   int
	msg    string
	advice string
}

func (e *exitError) Error() string { return e.msg }

// silentExit ends a command with a code after it has already said why.
type silentExit struct{ code int }

func (e *silentExit) Error() string { return fmt.Sprintf("exit %d", e.code) }

// exitCode maps an error to design.md's exit code.
func exitCode(ctx context.Context, err error) int {
	var ue *usageError
	var ee *exitError
	var se *silentExit
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &se):
		return se.code
	case ctx.Err() != nil || errors.Is(err, context.Canceled):
		return ExitInterrupted
	case errors.As(err, &ue):
		return ExitUsage
	case errors.As(err, &ee):
		return ee.code
	}
	switch flow.KindOf(err) {
	case flow.KindUsage:
		return ExitUsage
	case flow.KindRejected:
		return ExitRejected
	case flow.KindNoSession:
		return ExitNoSession
	case flow.KindSetup:
		return ExitSetup
	case flow.KindNetwork:
		return ExitNetwork
	case flow.KindSecurity:
		return ExitSecurity
	}
	return ExitError
}

// printError writes the one-line error and at most one line of advice.
// Both may carry text from the site, the network or a token: every secret
// the run knows is masked in them, and control characters are escaped
// (issue 10).
func printError(w io.Writer, code int, err error, known *safetext.Secrets) {
	if code == ExitInterrupted {
		fmt.Fprintln(w, "sfecho: interrupted")
		return
	}
	var se *silentExit
	if errors.As(err, &se) {
		return
	}
	msg := err.Error()
	var fe *flow.Error
	if errors.As(err, &fe) && fe.Op == "usage" {
		msg = fe.Description
	}
	fmt.Fprintf(w, "sfecho: %s\n", printable(known, msg))
	advice := flow.AdviceOf(err)
	var ee *exitError
	if errors.As(err, &ee) && ee.advice != "" {
		advice = ee.advice
	}
	if advice != "" {
		fmt.Fprintf(w, "hint: %s\n", printable(known, advice))
	}
}

// printable makes one line of s: secrets the run knows and secret URL
// parameters masked, then white space collapsed and control characters
// escaped.
func printable(known *safetext.Secrets, s string) string {
	s = safetext.MaskParams(known.Mask(s), flow.SecretParam)
	return safetext.Line(strings.Join(strings.Fields(s), " "))
}
