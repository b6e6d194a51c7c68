//go:build unix

package store

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A session path that is a FIFO or a device is refused at once: opening a
// FIFO for reading would wait for a writer forever, and /dev/zero would be
// read without end.
func TestFileRefusesFIFOAndDevice(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		make func(path string) error
		want string
	}{
		{"fifo", func(p string) error { return syscall.Mkfifo(p, 0o600) }, "is a FIFO"},
		{"device", func(p string) error { return os.Symlink("/dev/zero", p) }, "is a device"},
		{"directory", func(p string) error { return os.Mkdir(p, 0o700) }, "is a directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := sessDir(t)
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			f := NewFile(dir)
			if err := tc.make(f.Path("ci")); err != nil {
				t.Skip(err)
			}
			done := make(chan error, 1)
			go func() { _, err := f.Load("ci"); done <- err }()
			select {
			case err := <-done:
				if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("Load = %v; want ErrNotRegular, %q", err, tc.want)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("Load blocked on a special file")
			}
		})
	}
}

func TestCheckNotWritable(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "config.toml")
	os.WriteFile(path, nil, 0o600)
	stat := func(p string, mode fs.FileMode) fs.FileInfo {
		t.Helper()
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		info, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		return info
	}
	for _, tc := range []struct {
		name              string
		file, dir         fs.FileMode
		refused, refusDir bool
	}{
		{"private", 0o600, 0o700, false, false},
		{"world readable", 0o644, 0o755, false, false},
		{"world writable file", 0o666, 0o700, true, false},
		{"group writable file", 0o620, 0o700, true, false},
		{"world writable dir", 0o600, 0o777, true, true},
		{"sticky world writable dir, own file", 0o600, 0o777 | fs.ModeSticky, false, false},
	} {
		fi, di := stat(path, tc.file), stat(dir, tc.dir)
		err := CheckNotWritable(path, fi, di)
		var pe *PermissionError
		switch {
		case !tc.refused && err != nil:
			t.Errorf("%s: %v; want no error", tc.name, err)
		case tc.refused && (!errors.As(err, &pe) || pe.Dir != tc.refusDir || !strings.Contains(err.Error(), "chmod go-w")):
			t.Errorf("%s: %v; want a PermissionError (dir %v) with the chmod", tc.name, err, tc.refusDir)
		}
	}
	os.Chmod(dir, 0o700)
}
