//go:build unix

package cli

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// A config file others can write decides site, ca_file and
// client_secret_file: refused with the chmod that fixes it. A config or
// session path that is a FIFO is refused at once, not waited on.
func TestLocalFilesRefused(t *testing.T) {
	ts := startSite(t, defaultConfig(), nil)
	for _, tc := range []struct {
		name  string
		setup func(dir string) error
		args  []string
		want  string
	}{
		{"config 0666", func(dir string) error {
			return writeMode(filepath.Join(dir, "config.toml"), "[profiles.default]\nsite = \"https://evil.example\"\n", 0o666)
		}, ts.loginArgs(), "writable by others"},
		{"config in a world-writable dir", func(dir string) error {
			if err := writeMode(filepath.Join(dir, "config.toml"), "", 0o600); err != nil {
				return err
			}
			return os.Chmod(dir, 0o777)
		}, ts.loginArgs(), "chmod go-w "},
		{"config FIFO", func(dir string) error { return syscall.Mkfifo(filepath.Join(dir, "config.toml"), 0o600) },
			ts.loginArgs(), "is a FIFO"},
		{"session FIFO", func(dir string) error {
			if err := os.Mkdir(filepath.Join(dir, "sessions"), 0o700); err != nil {
				return err
			}
			return syscall.Mkfifo(filepath.Join(dir, "sessions", "default.json"), 0o600)
		}, []string{"token"}, "is a FIFO"},
		{"session device", func(dir string) error {
			if err := os.Mkdir(filepath.Join(dir, "sessions"), 0o700); err != nil {
				return err
			}
			return os.Symlink("/dev/zero", filepath.Join(dir, "sessions", "default.json"))
		}, []string{"status"}, "is a device"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			te := newTestEnv(t)
			t.Cleanup(func() { os.Chmod(te.ConfigDir, 0o700) })
			if err := tc.setup(te.ConfigDir); err != nil {
				t.Skip(err)
			}
			te.stdin.WriteString(testPass + "\n")
			done := make(chan int, 1)
			go func() { done <- te.run(t, tc.args...) }()
			select {
			case code := <-done:
				if code != ExitUsage || !contains(te.stderr.String(), tc.want) || contains(te.stderr.String(), "fix that line") {
					t.Errorf("exit %d; want 2 and %q\n%s", code, tc.want, te.stderr)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("sfecho waited on a special file")
			}
			if ts.Requests() != 0 {
				t.Errorf("%d requests sent", ts.Requests())
			}
		})
	}
}

func writeMode(path, content string, mode os.FileMode) error {
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		return err
	}
	return os.Chmod(path, mode)
}
