package cli

import (
	"errors"
	"path/filepath"
	"strings"

	"github.com/sfecho/sfecho/internal/config"
	"github.com/sfecho/sfecho/internal/store"
)

// configPath is the config file: os.UserConfigDir()/sfecho/config.toml.
func configPath(env *Env) string { return filepath.Join(env.ConfigDir, "config.toml") }

// loadProfile returns the settings of a named profile from the config file,
// keyed by flag name ("client-id" reads client_id). A profile the file does
// not define has no settings: it may exist only as a saved session. A
// config file with an error is a usage error naming the file and line.
func loadProfile(env *Env, name string) (setting, error) {
	if err := store.ValidateProfile(name); err != nil {
		return nil, usagef("--profile: %v", err)
	}
	f, err := config.Load(configPath(env))
	if err != nil {
		advice := "fix that line of the file by hand: sfecho cannot read or rewrite it until then"
		if errors.Is(err, store.ErrInsecurePermissions) || errors.Is(err, store.ErrNotRegular) {
			advice = "" // issue 10: the message says what to fix (chmod go-w …)
		}
		return nil, &exitError{code: ExitUsage, msg: err.Error(), advice: advice}
	}
	p, _ := f.Profile(name)
	values := map[string]string{}
	for _, fld := range p.Fields() {
		values[fld.Key] = fld.Value
	}
	return func(key string) (string, bool) {
		v, ok := values[strings.ReplaceAll(key, "-", "_")]
		return v, ok
	}, nil
}
