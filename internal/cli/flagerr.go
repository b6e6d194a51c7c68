package cli

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/spf13/pflag"
)

// Errors about the command line say what is wrong without repeating what
// was typed (issue 10): a value given to a flag that takes none
// (--password-stdin=Hunter2) or a stray argument may be a secret typed in
// the wrong place, and pflag's and cobra's own messages quote it.

// flagErrorMessage rewrites pflag's error about a flag so that it names the
// flag but not the value given to it.
func flagErrorMessage(err error) string {
	var invalid *pflag.InvalidValueError
	var unknown *pflag.NotExistError
	var missing *pflag.ValueRequiredError
	var syntax *pflag.InvalidSyntaxError
	switch {
	case errors.As(err, &invalid):
		f := invalid.GetFlag()
		if f.Value.Type() == "bool" {
			return fmt.Sprintf("--%s takes no value (the one given is not repeated here); write --%s, or --%s=false", f.Name, f.Name, f.Name)
		}
		return fmt.Sprintf("invalid value for --%s (not repeated here): want %s", f.Name, flagValueKind(f.Value.Type()))
	case errors.As(err, &unknown) && unknown.GetSpecifiedShortnames() != "":
		return fmt.Sprintf("unknown shorthand flag: -%s", unknown.GetSpecifiedName())
	case errors.As(err, &missing) && missing.GetSpecifiedShortnames() != "":
		return fmt.Sprintf("flag needs an argument: -%s", missing.GetSpecifiedName())
	case errors.As(err, &syntax):
		return "bad flag syntax (the argument is not repeated here): flags are --name or --name=value"
	}
	return err.Error()
}

func flagValueKind(typ string) string {
	switch typ {
	case "duration":
		return "a duration such as 30s or 5m"
	case "int", "int64", "uint", "uint64":
		return "a whole number"
	case "stringArray", "stringSlice":
		return "text"
	}
	return "a " + typ
}

// argErrorRE matches cobra's errors about a positional argument:
// `unknown command "X" for "sfecho login"`, `invalid argument "X" for
// "sfecho completion"`, each optionally followed by suggestions.
var argErrorRE = regexp.MustCompile(`(?s)^(unknown command|invalid argument) "(?:[^"\\]|\\.)*" for "([^"]*)"(.*)$`)

// argErrorMessage rewrites cobra's error about a stray or unknown
// argument so that it names the command but not the argument. Cobra's
// "Did you mean" suggestions are kept: they are names of commands.
func argErrorMessage(msg string) string {
	m := argErrorRE.FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	out := fmt.Sprintf("%s takes no such argument (not repeated here)", m[2])
	if !strings.Contains(m[2], " ") && m[1] == "unknown command" {
		out = fmt.Sprintf("unknown command for %s (not repeated here); see %s --help", m[2], m[2])
	} else if m[1] == "unknown command" {
		out = fmt.Sprintf("%s takes no arguments; one was given (not repeated here)", m[2])
	}
	if _, sugg, ok := strings.Cut(m[3], "Did you mean this?"); ok {
		if names := strings.Fields(sugg); len(names) > 0 {
			out += "; did you mean " + strings.Join(names, " or ") + "?"
		}
	}
	return out
}
