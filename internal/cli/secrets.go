package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
)

// Every secret sfecho reads comes through this file: a password, OTP or
// new password (secretInput, from stdin, the environment or a no-echo
// prompt) and a token or secret kept in a file (secretFile). None is ever a
// flag value (design.md, "Security rules").

// secretSpec says where one secret may come from, strongest first: stdin
// when asked (fromStdin), the environment variable, a no-echo prompt on a
// terminal, or — when stdin is a pipe and lineFallback is set — the next
// line of stdin.
type secretSpec struct {
	name, flag, envVar string
	fromStdin          bool
	prompt             string
	lineFallback       bool
}

// secretInput reads one secret as s says, and adds it to the run's
// secrets, masked in everything printed on stderr.
func secretInput(env *Env, s secretSpec) (string, error) {
	v, err := readSecretInput(env, s)
	env.secrets().Add(v)
	return v, err
}

func readSecretInput(env *Env, s secretSpec) (string, error) {
	if s.fromStdin {
		v, err := env.readLine()
		if err != nil {
			return "", fail(ExitUsage, fmt.Sprintf("%s: cannot read the %s from stdin: %v", s.flag, s.name, err), "", err)
		}
		return nonEmpty(s, v)
	}
	if v := env.getenv(s.envVar); v != "" {
		return v, nil
	}
	if env.InTTY && env.ReadSecret != nil {
		v, err := env.ReadSecret(s.prompt)
		if err != nil {
			return "", fail(ExitUsage, fmt.Sprintf("cannot read the %s from the terminal: %v", s.name, err), "", err)
		}
		return nonEmpty(s, v)
	}
	if s.lineFallback {
		v, err := env.readLine()
		if errors.Is(err, errLineTooLong) {
			return "", fail(ExitUsage, fmt.Sprintf("%s: %v", s.name, err), "", err)
		}
		if err != nil {
			return "", usagef("no %s: stdin ended without one", s.name)
		}
		return nonEmpty(s, v)
	}
	hint := s.envVar
	if s.flag != "" {
		hint = s.flag + " or " + s.envVar
	}
	return "", usagef("no %s: stdin is not a terminal; use %s", s.name, hint)
}

func nonEmpty(s secretSpec, v string) (string, error) {
	if v == "" {
		return "", usagef("the %s is empty", s.name)
	}
	return v, nil
}

// username is the settled --username (flag, SFECHO_USERNAME or the
// profile), else a prompt on a terminal.
func username(env *Env, settled string) (string, error) {
	if v := strings.TrimSpace(settled); v != "" {
		return v, nil
	}
	if env.InTTY {
		fmt.Fprint(env.Err, "Username: ")
		v, err := env.readLine()
		if err == nil && strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v), nil
		}
	}
	return "", usagef("--username is required (or SFECHO_USERNAME)")
}

// fileOrEnvSecret reads a secret given as a file (flag names it) or in the
// environment variable envVar, and adds it to the run's secrets, so that
// a site repeating it never gets it printed. "" when neither gives one.
func fileOrEnvSecret(env *Env, flag, path, envVar string) (string, error) {
	v := strings.TrimSpace(env.getenv(envVar))
	if path != "" {
		var err error
		if v, err = secretFile(flag, path); err != nil {
			return "", err
		}
	}
	env.secrets().Add(v)
	return v, nil
}

// secretFile reads a secret kept in a file (a client secret, an integration
// or guest token): trimmed, and never empty. flag names it in errors; the
// content never appears in one.
func secretFile(flag, path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", usagef("cannot read %s: %v", flag, pathErr(err))
	}
	v := strings.TrimSpace(string(b))
	if v == "" {
		return "", usagef("%s %s is empty", flag, path)
	}
	return v, nil
}

// pathErr drops the operation from an *os.PathError, keeping file and reason.
func pathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return &os.PathError{Op: "open", Path: pe.Path, Err: pe.Err}
	}
	return err
}

// newSecret reads a new password: envVar, else twice on the terminal
// (they must match), else the next line of stdin (when lineFallback) or
// the first with fromStdin.
func newSecret(ctx context.Context, env *Env, s secretSpec) (string, error) {
	if env.getenv(s.envVar) != "" || !env.InTTY || s.fromStdin || env.ReadSecret == nil {
		return awaitInput(ctx, env, func() (string, error) { return secretInput(env, s) })
	}
	// Asked twice; a mismatch asks again (three tries), since the OTP is
	// already spent on this attempt otherwise.
	for try := 1; ; try++ {
		first, err := secretInput(env, s)
		if err != nil {
			return "", err
		}
		again, err := env.ReadSecret("Repeat the " + s.name + ": ")
		if err != nil {
			return "", fail(ExitUsage, fmt.Sprintf("cannot read the %s from the terminal: %v", s.name, err), "", err)
		}
		if again == first {
			return first, nil
		}
		if try == 3 {
			return "", usagef("the two %ss did not match, three times", s.name)
		}
		fmt.Fprintf(env.Err, "The two %ss do not match; try again.\n", s.name)
	}
}

// awaitInput runs read, but when stdin is not a terminal it gives up as
// soon as ctx ends: a script may never write the line, and Ctrl-C must
// still end sfecho (exit 130). The abandoned read ends with the process.
// A terminal prompt is left to finish, so that it can restore echo.
func awaitInput(ctx context.Context, env *Env, read func() (string, error)) (string, error) {
	if env.InTTY {
		return read()
	}
	type result struct {
		v   string
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := read()
		ch <- result{v, err}
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}
