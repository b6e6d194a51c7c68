package cli

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sfecho/sfecho/internal/config"
	"github.com/sfecho/sfecho/internal/flow"
	"github.com/sfecho/sfecho/internal/store"
)

// newProfileCmd groups the commands that edit the config file's profiles.
func newProfileCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "profile",
		Short: "List, show and edit the named profiles of the config file",
		Long: `Profiles are tables in the config file (` + "`os.UserConfigDir()/sfecho/config.toml`" + `, or
config.toml in $SFECHO_CONFIG_DIR) that hold
settings for --profile NAME (or SFECHO_PROFILE). Flags beat SFECHO_* variables, which beat
the profile, which beats the default. The file holds no secrets.

Keys:
` + keyHelp(),
		Example: `  sfecho profile set ci site https://acme.my.site.com/shop
  sfecho profile set ci client_id 3MVG9...
  sfecho profile set ci store keyring
  sfecho profile show ci
  sfecho token --profile ci`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newProfileListCmd(env), newProfileShowCmd(env), newProfileSetCmd(env),
		newProfileUnsetCmd(env), newProfileDeleteCmd(env), newProfileUseCmd(env))
	return cmd
}

func keyHelp() string {
	var b strings.Builder
	for _, k := range config.Keys() {
		fmt.Fprintf(&b, "  %-20s %s\n", k.Key, k.Value)
	}
	return b.String()
}

// editConfig loads the config file, applies edit and saves it.
func editConfig(env *Env, edit func(*config.File) error) error {
	f, err := loadConfig(env)
	if err != nil {
		return err
	}
	if err := edit(f); err != nil {
		return err
	}
	if err := f.Save(configPath(env)); err != nil {
		return &Error{Code: ExitUsage, Msg: err.Error()}
	}
	return nil
}

func newProfileListCmd(env *Env) *cobra.Command {
	var out output
	cmd := &cobra.Command{
		Use:     "list",
		Example: "  sfecho profile list\n  sfecho profile list -o json | jq -r '.[] | select(.default) | .name'",
		Short:   "List the profiles of the config file (the default one marked)",
		Args:    cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			format, err := out.resolve(env)
			if err != nil {
				return err
			}
			f, err := loadConfig(env)
			if err != nil {
				return err
			}
			def := f.Default
			if def == "" {
				def = store.DefaultProfile
			}
			type row struct {
				Name    string `json:"name"`
				Default bool   `json:"default"`
				Site    string `json:"site,omitempty"`
			}
			rows := []row{}
			for _, name := range f.Names() {
				p, _ := f.Profile(name)
				rows = append(rows, row{name, name == def, p.Site})
			}
			if format == "json" {
				return writeValue(env.Out, rows)
			}
			for _, r := range rows {
				mark := ""
				if r.Default {
					mark = "  (default)"
				}
				fmt.Fprintf(env.Out, "%s%s\n", r.Name, mark)
			}
			return nil
		},
	}
	out.addFlag(cmd, "", "json", "text")
	return cmd
}

func newProfileShowCmd(env *Env) *cobra.Command {
	var out output
	cmd := &cobra.Command{
		Use:     "show [NAME]",
		Example: "  sfecho profile show ci\n  sfecho profile show          # the current profile (--profile, SFECHO_PROFILE or the default)",
		Short:   "Show a profile's settings (default: --profile, SFECHO_PROFILE or the default profile)",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			format, err := out.resolve(env)
			if err != nil {
				return err
			}
			choice, err := chooseProfile(cmd, env)
			if err != nil {
				return err
			}
			name := choice.Name
			if len(args) == 1 {
				name = args[0]
			}
			f, err := loadConfig(env)
			if err != nil {
				return err
			}
			p, ok := f.Profile(name)
			if !ok {
				have := strings.Join(f.Names(), ", ")
				if have == "" {
					have = "none yet; sfecho profile set creates one"
				}
				return usagef("no profile %q in %s (profiles: %s)", name, configPath(env), have)
			}
			if format == "json" {
				m := map[string]string{}
				for _, fld := range p.Fields() {
					m[fld.Key] = fld.Value
				}
				return writeValue(env.Out, map[string]any{"name": name, "settings": m})
			}
			fmt.Fprintf(env.Out, "[profiles.%s]\n", strconv.Quote(name))
			for _, fld := range p.Fields() {
				fmt.Fprintf(env.Out, "%s = %s\n", fld.Key, strconv.Quote(fld.Value))
			}
			return nil
		},
	}
	out.addFlag(cmd, "", "json", "text")
	return cmd
}

// newProfileUseCmd sets the profile that --profile falls back to.
func newProfileUseCmd(env *Env) *cobra.Command {
	return &cobra.Command{
		Use:   "use NAME",
		Short: "Make NAME the default profile (what --profile and SFECHO_PROFILE fall back to)",
		Example: `  sfecho profile use ci
  sfecho token                 # now the ci profile's session
  sfecho profile use default   # back to the default`,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			name := args[0]
			if err := store.ValidateProfile(name); err != nil {
				return usagef("profile use: %v", err)
			}
			var defined bool
			err := editConfig(env, func(f *config.File) error {
				_, defined = f.Profile(name)
				f.Default = name
				if name == store.DefaultProfile {
					f.Default = ""
				}
				return nil
			})
			if err != nil {
				return err
			}
			if _, serr := store.NewFile(sessionsDir(env)).Load(name); !defined && name != store.DefaultProfile && serr != nil {
				env.warnf("profile %s has neither settings nor a saved session yet: sfecho profile set %s site URL, or sfecho login --profile %s", name, name, name)
			}
			fmt.Fprintf(env.Err, "sfecho: the default profile is now %s\n", name)
			return nil
		},
	}
}

func newProfileSetCmd(env *Env) *cobra.Command {
	return &cobra.Command{
		Use:     "set NAME KEY VALUE",
		Short:   "Set a key of a profile, creating the profile if needed",
		Example: `  sfecho profile set default site https://acme.my.site.com/shop`,
		Args:    cobra.ExactArgs(3),
		RunE: func(_ *cobra.Command, args []string) error {
			if args[1] == "client_secret" {
				return usagef("the config file holds no secrets: put the secret in a file and set client_secret_file")
			}
			if (args[1] == "ca_file" || args[1] == "client_secret_file") && args[2] != "" {
				args[2] = absPath(args[2]) // a profile is used from any directory
			}
			return editConfig(env, func(f *config.File) error {
				if err := f.Set(args[0], args[1], args[2]); err != nil {
					return usagef("%v", err)
				}
				if args[1] == "site" && args[2] != "" {
					_, err := flow.ParseSiteNamed("site", args[2]) // nothing is saved on error
					return err
				}
				return nil
			})
		},
	}
}

func newProfileUnsetCmd(env *Env) *cobra.Command {
	return &cobra.Command{
		Use:     "unset NAME KEY",
		Example: "  sfecho profile unset ci scope",
		Short:   "Remove a key from a profile",
		Args:    cobra.ExactArgs(2),
		RunE: func(_ *cobra.Command, args []string) error {
			return editConfig(env, func(f *config.File) error {
				if _, ok := f.Profile(args[0]); !ok {
					return usagef("no profile %q in %s", args[0], configPath(env))
				}
				if err := f.Set(args[0], args[1], ""); err != nil {
					return usagef("%v", err)
				}
				return nil
			})
		},
	}
}

func newProfileDeleteCmd(env *Env) *cobra.Command {
	return &cobra.Command{
		Use:     "delete NAME",
		Example: "  sfecho profile delete ci",
		Short:   "Delete a profile from the config file (its saved session is kept)",
		Args:    cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			err := editConfig(env, func(f *config.File) error {
				if !f.Delete(args[0]) {
					return usagef("no profile %q in %s", args[0], configPath(env))
				}
				return nil
			})
			if err == nil {
				fmt.Fprintf(env.Err, "sfecho: deleted profile %s; its saved session, if any, is kept (sfecho logout --profile %s removes it)\n", args[0], args[0])
			}
			return err
		},
	}
}
