package cli

import (
	"os"
	"path/filepath"
)

// configDirEnv names the directory that holds config.toml and the saved
// sessions, in place of os.UserConfigDir()/sfecho: a CI job can keep its
// session in a cached directory of its choosing (issue 14).
const configDirEnv = "SFECHO_CONFIG_DIR"

// resolveConfigDir is $SFECHO_CONFIG_DIR (made absolute, so that a profile
// or session path printed in a message names the real place), else
// os.UserConfigDir()/sfecho, else a directory in os.TempDir() when the OS
// names no config directory (no $HOME).
func resolveConfigDir(getenv func(string) string) string {
	if d := getenv(configDirEnv); d != "" {
		if abs, err := filepath.Abs(d); err == nil {
			return abs
		}
		return d
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "sfecho")
}
