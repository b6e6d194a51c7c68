package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
)

// ErrInsecurePermissions reports a session file or directory that others can
// read or write. It is refused rather than repaired, because someone may
// already have read the tokens; the error says which chmod fixes it.
var ErrInsecurePermissions = errors.New("insecure permissions")

// PermissionError is a file or directory refused for its permissions.
type PermissionError struct {
	Path string
	Mode fs.FileMode
	Dir  bool
}

// Error names the path, its mode and the command that fixes it.
func (e *PermissionError) Error() string {
	want := "600"
	if e.Dir {
		want = "700"
	}
	return fmt.Sprintf("%s has permissions %04o, readable or writable by others: run chmod %s %s (and revoke the session if others may have read it)",
		e.Path, e.Mode.Perm(), want, e.Path)
}

// Is makes errors.Is(err, ErrInsecurePermissions) true.
func (e *PermissionError) Is(target error) bool { return target == ErrInsecurePermissions }

// checkPerm refuses a file or directory with any group or other permission
// bit. Windows has no such bits; ACLs there are left to the OS.
func checkPerm(path string, info fs.FileInfo) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	if info.Mode().Perm()&0o077 != 0 {
		return &PermissionError{Path: path, Mode: info.Mode(), Dir: info.IsDir()}
	}
	return nil
}

// ensureDir creates dir with mode 0700 (and its parents as needed) or checks
// that an existing one is not open to others.
func ensureDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create session directory: %w", err)
	}
	info, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("session directory: %w", err)
	}
	if !info.IsDir() {
		return fmt.Errorf("session directory %s is not a directory", dir)
	}
	return checkPerm(dir, info)
}

// checkDir refuses an existing directory that is open to others: anyone who
// can write it can swap the session file. A missing directory is fine (there
// is simply no session yet).
func checkDir(dir string) error {
	info, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("session directory: %w", err)
	}
	return checkPerm(dir, info)
}
