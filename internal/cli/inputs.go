package cli

import (
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// layers settles one command's inputs, strongest first: the flag when given
// on the command line, the environment variable, the profile's value (keyed
// by the flag's name), the flag's default. It is the only place in this
// package that weighs them, so every command agrees (design.md,
// "Configuration").
type layers struct {
	fs   *pflag.FlagSet
	env  *Env
	prof setting
}

// setting is one profile's values by flag name; ok is false when unset.
type setting func(key string) (value string, ok bool)

func newLayers(cmd *cobra.Command, env *Env, prof setting) layers {
	if prof == nil {
		prof = func(string) (string, bool) { return "", false }
	}
	return layers{fs: cmd.Flags(), env: env, prof: prof}
}

// lookup returns the value the environment or profile gives flag, when the
// flag was not given; ok is false when the flag wins or nothing is set.
func (l layers) lookup(flag, envVar string) (string, bool) {
	if l.fs.Changed(flag) {
		return "", false
	}
	if envVar != "" {
		if v := l.env.getenv(envVar); v != "" {
			return v, true
		}
	}
	if v, ok := l.prof(flag); ok && v != "" {
		return v, true
	}
	return "", false
}

// str settles a string input.
func (l layers) str(flag, envVar string, dst *string) {
	if v, ok := l.lookup(flag, envVar); ok {
		*dst = v
	}
}

// strNoProfile settles a string input from the flag or the environment
// only: for inputs a profile must not supply (a new user's name).
func (l layers) strNoProfile(flag, envVar string, dst *string) {
	if !l.fs.Changed(flag) {
		if v := l.env.getenv(envVar); v != "" {
			*dst = v
		}
	}
}

// list settles a repeatable input; the environment and profile give a
// space-separated list.
func (l layers) list(flag, envVar string, dst *[]string) {
	if v, ok := l.lookup(flag, envVar); ok {
		*dst = strings.Fields(v)
	}
}

// boolean settles a switch; the environment and profile say true or false.
func (l layers) boolean(flag, envVar string, dst *bool) error {
	v, ok := l.lookup(flag, envVar)
	if !ok {
		return nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return usagef("%s must be true or false, not %q", l.source(flag, envVar), v)
	}
	*dst = b
	return nil
}

// dur settles a positive duration.
func (l layers) dur(flag, envVar string, dst *time.Duration) error {
	if v, ok := l.lookup(flag, envVar); ok {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return usagef("%s=%q is not a positive duration such as 5m or 2h", l.source(flag, envVar), v)
		}
		*dst = d
	}
	if *dst <= 0 {
		return usagef("--%s must be positive", flag)
	}
	return nil
}

// source names where a value came from, for error messages.
func (l layers) source(flag, envVar string) string {
	if envVar != "" && l.env.getenv(envVar) != "" {
		return envVar
	}
	return "the profile's " + strings.ReplaceAll(flag, "-", "_")
}
