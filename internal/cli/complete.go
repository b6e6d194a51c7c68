package cli

import (
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sfecho/sfecho/internal/config"
	"github.com/sfecho/sfecho/internal/store"
)

// addProfileCompletion completes profile names from the config file: the
// value of --profile on every command, and the NAME argument of the profile
// subcommands that take one (and the KEY of set and unset). Commands that
// already complete their arguments are left alone.
func addProfileCompletion(root *cobra.Command, env *Env) {
	names := func(toComplete string) []string {
		seen := map[string]bool{}
		if f, err := config.Load(configPath(env)); err == nil {
			for _, n := range f.Names() {
				seen[n] = true
			}
		}
		saved, _ := store.List(sessionsDir(env)) // a profile may exist only as a saved session
		for _, s := range saved {
			seen[s.Profile] = true
		}
		var out []string
		for n := range seen {
			if strings.HasPrefix(n, toComplete) {
				out = append(out, n)
			}
		}
		sort.Strings(out)
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
