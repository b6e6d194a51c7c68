//go:build unix

package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sfecho/sfecho/internal/store"
)

// A config file others can write decides where the password goes: it is
// refused with the chmod that fixes it, as a session file is.
func TestLoadRefusesWritableByOthers(t *testing.T) {
	t.Parallel()
	const content = "[profiles.ci]\nsite = \"https://evil.example\"\n"
	for _, tc := range []struct {
		name      string
		file, dir os.FileMode
		chmod     string // the path the advice names, "" when accepted
	}{
		{"0666 file", 0o666, 0o700, "file"},
		{"0664 file", 0o664, 0o700, "file"},
		{"world-writable dir", 0o644, 0o777, "dir"},
		{"group-writable dir", 0o644, 0o770, "dir"},
		{"0644 file in 0755 dir", 0o644, 0o755, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := write(t, content)
			dir := filepath.Dir(path)
			os.Chmod(path, tc.file)
			os.Chmod(dir, tc.dir)
			t.Cleanup(func() { os.Chmod(dir, 0o700) })
			_, err := Load(path)
			if tc.chmod == "" {
				if err != nil {
					t.Fatalf("Load = %v; want it accepted", err)
				}
				return
			}
			want := "chmod go-w " + path
			if tc.chmod == "dir" {
				want = "chmod go-w " + dir
			}
			if !errors.Is(err, store.ErrInsecurePermissions) || !strings.HasSuffix(err.Error(), want) {
				t.Errorf("Load = %v; want a refusal ending in %q", err, want)
			}
		})
	}
}

// A config path that is a FIFO is refused at once, not waited on.
func TestLoadRefusesFIFO(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skip(err)
	}
	done := make(chan error, 1)
	go func() { _, err := Load(path); done <- err }()
	select {
	case err := <-done:
		if !errors.Is(err, store.ErrNotRegular) || !strings.Contains(err.Error(), path+" is a FIFO") {
			t.Errorf("Load = %v; want ErrNotRegular naming the FIFO", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Load blocked on a FIFO")
	}
}
