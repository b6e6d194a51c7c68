package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

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

// Error is the CLI's one error type: a message, the exit code it ends the
// run with, at most one line of advice, and the cause it wraps (for
// errors.Is and errors.As). Silent errors end the run after the command has
// already said why (status of a revoked session, for one).
type Error struct {
	Code   int
	Msg    string
	Advice string
	Err    error
	Silent bool
}

func (e *Error) Error() string {
	if e.Msg == "" && e.Err != nil {
		return e.Err.Error()
	}
	return e.Msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// usagef is a bad flag or missing input, found before anything is sent:
// exit 2.
func usagef(format string, args ...any) error {
	return &Error{Code: ExitUsage, Msg: fmt.Sprintf(format, args...)}
}

// fail is an error with an explicit exit code and advice.
func fail(code int, msg, advice string, cause error) error {
	return &Error{Code: code, Msg: msg, Advice: advice, Err: cause}
}

// exitCode maps an error to design.md's exit code: the CLI's own, else the
// flow's kind; an interrupt is 130 whatever error it caused.
func exitCode(ctx context.Context, err error) int {
	var ce *Error
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &ce) && ce.Silent:
		return ce.Code
	case ctx.Err() != nil || errors.Is(err, context.Canceled):
		return ExitInterrupted
	case errors.As(err, &ce):
		return ce.Code
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
// the run knows is masked in them, and control characters are escaped.
func printError(w io.Writer, code int, err error, known *safetext.Secrets) {
	if silenced(err) {
		return
	}
	msg, advice := errorText(code, err, known)
	fmt.Fprintf(w, "sfecho: %s\n", msg)
	if advice != "" {
		fmt.Fprintf(w, "hint: %s\n", advice)
	}
}

// errorText is an error's message and advice, each one printable line.
func errorText(code int, err error, known *safetext.Secrets) (msg, advice string) {
	if code == ExitInterrupted {
		return "interrupted", ""
	}
	msg = printable(known, err.Error())
	advice = flow.AdviceOf(err)
	var ce *Error
	if errors.As(err, &ce) && ce.Advice != "" {
		advice = ce.Advice
	}
	return msg, printable(known, advice)
}

// printable makes one line of s: secrets the run knows and secret URL
// parameters masked, then white space collapsed and control characters
// escaped.
//
// It shortens last: a site's text is cut only after every secret in it is
// masked, so a secret the site echoes at the edge of the cut is never half
// shown.
func printable(known *safetext.Secrets, s string) string {
	s = safetext.MaskParams(known.Mask(s), flow.SecretParam)
	return shorten(safetext.Line(strings.Join(strings.Fields(s), " ")), maxPrinted)
}

// maxPrinted bounds one printed line of outside text, in bytes.
const maxPrinted = 400

// shorten cuts s to at most n bytes on a rune boundary, marking the cut.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}
