package cli

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/sfecho/sfecho/internal/config"
)

// addProfileCompletion completes profile names from the config file: the
// value of --profile on every command, and the NAME argument of the profile
// subcommands that take one (and the KEY of set and unset). Commands that
// already complete their arguments are left alone.
func addProfileCompletion(root *cobra.Command, env *Env) {
	names := func(toComplete string) []string {
		f, err := config.Load(configPath(env))
		if err != nil {
			return nil
		}
		var out []string
		for _, n := range f.Names() {
			if strings.HasPrefix(n, toComplete) {
				out = append(out, n)
			}
		}
		return out
	}
	_ = root.RegisterFlagCompletionFunc("profile", func(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		return names(toComplete), cobra.ShellCompDirectiveNoFileComp
	})
	profile, _, err := root.Find([]string{"profile"})
	if err != nil || profile == root {
		return
	}
	for _, c := range profile.Commands() {
		if c.ValidArgsFunction != nil {
			continue
		}
		withKey := false
		switch c.Name() {
		case "set", "unset":
			withKey = true
		case "show", "delete", "use":
		default:
			continue
		}
		c.ValidArgsFunction = func(_ *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			switch {
			case len(args) == 0:
				return names(toComplete), cobra.ShellCompDirectiveNoFileComp
			case len(args) == 1 && withKey:
				var keys []string
				for _, k := range config.Keys() {
					if strings.HasPrefix(k.Key, toComplete) {
						keys = append(keys, k.Key)
					}
				}
				return keys, cobra.ShellCompDirectiveNoFileComp
			}
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
	}
}
