package cli

import (
	"errors"
	"fmt"
	"strings"
)

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
// secrets, masked in everything printed on stderr (issue 10).
func secretInput(env *Env, s secretSpec) (string, error) {
	v, err := readSecretInput(env, s)
	env.secrets().Add(v)
	return v, err
}

func readSecretInput(env *Env, s secretSpec) (string, error) {
	if s.fromStdin {
		v, err := env.readLine()
		if err != nil {
			return "", usagef("%s: cannot read the %s from stdin: %v", s.flag, s.name, err)
		}
		return nonEmpty(s, v)
	}
	if v := env.getenv(s.envVar); v != "" {
		return v, nil
	}
	if env.InTTY && env.ReadSecret != nil {
		v, err := env.ReadSecret(s.prompt)
		if err != nil {
			return "", usagef("cannot read the %s from the terminal: %v", s.name, err)
		}
		return nonEmpty(s, v)
	}
	if s.lineFallback {
		v, err := env.readLine()
		if errors.Is(err, errLineTooLong) {
			return "", usagef("%s: %v", s.name, err)
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

// username is --username, else SFECHO_USERNAME, else the profile's, else a
// prompt on a terminal.
func username(env *Env, flagValue string, prof setting) (string, error) {
	if flagValue == "" {
		flagValue = env.getenv("SFECHO_USERNAME")
	}
	if flagValue == "" && prof != nil {
		flagValue, _ = prof("username")
	}
	if flagValue != "" {
		return strings.TrimSpace(flagValue), nil
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
