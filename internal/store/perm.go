package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
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
	// Writable marks a file refused only because others can write it or
	// its directory (the config file, which holds no secret but decides
	// where the credentials go); see [CheckNotWritable].
	Writable bool
}

// Error names the path, its mode and the command that fixes it.
func (e *PermissionError) Error() string {
	if e.Writable {
		what := "others could change it and send your login to a site of their choosing"
		if e.Dir {
			what = "others could replace the file in it and send your login to a site of their choosing"
		}
		return fmt.Sprintf("%s has permissions %04o, writable by others: %s; run chmod go-w %s",
			e.Path, e.Mode.Perm(), what, e.Path)
	}
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

// CheckNotWritable refuses a file that group or others can write, or that
// lies in a directory they can write (unless the directory is sticky, as
// /tmp is, and the file is the user's own): whoever can change the file
// can point sfecho at their own site, CA or client secret. info is the
// file's; dirInfo its directory's (nil to skip that check). Windows has no
// such bits; ACLs there are left to the OS.
func CheckNotWritable(path string, info, dirInfo fs.FileInfo) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	if info.Mode().Perm()&0o022 != 0 {
		return &PermissionError{Path: path, Mode: info.Mode(), Writable: true}
	}
	if dirInfo == nil || dirInfo.Mode().Perm()&0o022 == 0 {
		return nil
	}
	if dirInfo.Mode()&fs.ModeSticky != 0 && ownedBySelf(info) {
		return nil
	}
	return &PermissionError{Path: filepath.Dir(path), Mode: dirInfo.Mode(), Dir: true, Writable: true}
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
