package cli

import (
	"errors"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sfecho/sfecho/internal/config"
	"github.com/sfecho/sfecho/internal/store"
)

// configPath is the config file: os.UserConfigDir()/sfecho/config.toml.
func configPath(env *Env) string { return filepath.Join(env.ConfigDir, "config.toml") }

// profileChoice is the profile a run uses and what the config file says
// of it.
type profileChoice struct {
	Name    string
	Named   bool     // given by --profile or SFECHO_PROFILE, not fallen back to
	Defined bool     // the config file has a [profiles.NAME] table
	Names   []string // every profile the config file defines
	prof    setting  // its settings, keyed by flag name
}

// chooseProfile settles the profile: --profile, else SFECHO_PROFILE, else
// the config file's default_profile (sfecho profile use), else "default".
// A profile the file does not define has no settings: it may exist only as
// a saved session. A config file with an error is a usage error naming the
// file and line.
func chooseProfile(cmd *cobra.Command, env *Env) (profileChoice, error) {
	f, err := loadConfig(env)
	if err != nil {
		return profileChoice{}, err
	}
	c := profileChoice{Name: store.DefaultProfile, Names: f.Names()}
	if p, _ := cmd.Flags().GetString("profile"); p != "" {
		c.Name, c.Named = p, true
	} else if p := env.getenv("SFECHO_PROFILE"); p != "" {
		c.Name, c.Named = p, true
	} else if f.Default != "" {
		c.Name = f.Default
	}
	if err := store.ValidateProfile(c.Name); err != nil {
		return c, usagef("--profile: %v", err)
	}
	p, ok := f.Profile(c.Name)
	c.Defined = ok
	values := map[string]string{}
	for _, fld := range p.Fields() {
		values[fld.Key] = fld.Value
	}
	c.prof = func(key string) (string, bool) {
		v, ok := values[strings.ReplaceAll(key, "-", "_")]
		return v, ok
	}
	return c, nil
}

// missing is the error for a required setting that is not set: when the
// profile named does not exist, that is the real mistake.
func (c profileChoice) missing(flag, envVar, what string) error {
	if c.Named && !c.Defined {
		have := strings.Join(c.Names, ", ")
		if have == "" {
			have = "none yet"
		}
		return fail(ExitUsage, "profile "+c.Name+" does not exist (profiles: "+have+")",
			"create it with sfecho profile set "+c.Name+" "+strings.ReplaceAll(flag, "-", "_")+" VALUE, or pick another", nil)
	}
	return usagef("--%s is required (%s; or %s)", flag, what, envVar)
}

// loadConfig reads the config file; errors name the file and line (exit 2).
func loadConfig(env *Env) (*config.File, error) {
	f, err := config.Load(configPath(env))
	if err != nil {
		advice := "fix that line of the file by hand: sfecho cannot read or rewrite it until then"
		if errors.Is(err, store.ErrInsecurePermissions) || errors.Is(err, store.ErrNotRegular) {
			advice = "" // the message says what to fix (chmod go-w …)
		}
		return nil, fail(ExitUsage, err.Error(), advice, err)
	}
	return f, nil
}

// absPath makes a path from the command line absolute, so that a later
// run from another directory finds the same file.
func absPath(p string) string {
	if p == "" {
		return ""
	}
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// profileFlag returns " --profile NAME" for a profile other than the default.
func profileFlag(profile string) string {
	if profile == store.DefaultProfile {
		return ""
	}
	return " --profile " + profile
}

// sessionsDir is where sessions and their lock files live.
func sessionsDir(env *Env) string { return filepath.Join(env.ConfigDir, "sessions") }

// openStore returns the backend named name ("" = file).
func openStore(env *Env, name string) (store.Store, error) {
	dir := sessionsDir(env)
	switch name {
	case "", "file":
		return store.NewFile(dir), nil
	case "keyring":
		return store.NewKeyring(dir, keyringTimeout), nil
	}
	return nil, usagef("--store must be file or keyring, not %q", name)
}
