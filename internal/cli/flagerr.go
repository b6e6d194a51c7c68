package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/pflag"
)

// Errors about the command line say what is wrong without repeating what
// was typed: a value given to a flag that takes none
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
