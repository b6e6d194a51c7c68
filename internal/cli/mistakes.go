package cli

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// guardMistakes makes every mistake on the command line an exit-2 error
// that says what is wrong and suggests the fix, never a help page with
// exit 0: an unknown subcommand ("profile sett"), a wrong number of
// arguments (naming the usage), a mistyped flag (naming the closest one).
// Values the user typed are not repeated: a stray argument or a value given
// to a switch may be a secret pasted in the wrong place.
func guardMistakes(cmd *cobra.Command) {
	for _, c := range cmd.Commands() {
		guardMistakes(c)
	}
	if cmd.HasSubCommands() {
		if cmd.Run == nil && cmd.RunE == nil {
			cmd.Args = cobra.ArbitraryArgs
			cmd.RunE = func(c *cobra.Command, args []string) error {
				if len(args) > 0 {
					return unknownCommand(c, args[0])
				}
				return c.Help()
			}
		}
		return
	}
	if check := cmd.Args; check != nil {
		cmd.Args = func(c *cobra.Command, args []string) error {
			if check(c, args) == nil {
				return nil
			}
			path := strings.TrimPrefix(c.CommandPath(), c.Root().Name()+" ")
			msg := fmt.Sprintf("%s: wrong number of arguments (%d)", path, len(args))
			if !strings.Contains(c.Use, " ") {
				msg = fmt.Sprintf("%s takes no arguments (got %d)", path, len(args))
			}
			return fail(ExitUsage, msg, "usage: "+c.UseLine(), nil)
		}
	}
}

// commandWord matches what could be a mistyped command name; anything else
// (a secret pasted in the wrong place, say) is not repeated.
var commandWord = regexp.MustCompile(`^[a-z][a-z-]{0,24}$`)

// unknownCommand names an unknown subcommand and the closest ones.
func unknownCommand(c *cobra.Command, name string) error {
	msg := fmt.Sprintf("unknown command %q for %q", name, c.CommandPath())
	if !commandWord.MatchString(name) {
		msg = fmt.Sprintf("unknown command for %q (not repeated here)", c.CommandPath())
	}
	advice := "run " + c.CommandPath() + " --help for the list"
	if c.SuggestionsMinimumDistance <= 0 {
		c.SuggestionsMinimumDistance = 2
	}
	if s := c.SuggestionsFor(name); len(s) > 0 {
		advice = "did you mean " + c.CommandPath() + " " + strings.Join(s, " or ") + "?"
	}
	return fail(ExitUsage, msg, advice, nil)
}

// flagError rewrites pflag's errors: an unknown flag gets the closest
// known one (or, for a flag people reach for that takes a secret, the way
// sfecho takes it), and a bad value is described without being repeated
// (flagErrorMessage).
func flagError(c *cobra.Command, err error) error {
	msg := err.Error()
	if strings.HasPrefix(msg, "unknown flag: --") {
		name := strings.TrimPrefix(msg, "unknown flag: --")
		advice := flagAdvice(msg)
		if advice == "" {
			if s := closestFlag(c, name); s != "" {
				advice = "did you mean --" + s + "?"
			}
		}
		return fail(ExitUsage, msg, advice, nil)
	}
	return fail(ExitUsage, flagErrorMessage(err), flagAdvice(msg), nil)
}

// closestFlag returns the flag of c nearest to name (at most two edits, or
// a prefix), or "".
func closestFlag(c *cobra.Command, name string) string {
	best, bestD := "", 3
	c.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		d := editDistance(name, f.Name)
		if strings.HasPrefix(f.Name, name) && len(name) >= 3 {
			d = min(d, 1)
		}
		if d < bestD {
			best, bestD = f.Name, d
		}
	})
	return best
}

// editDistance is the Levenshtein distance of a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
