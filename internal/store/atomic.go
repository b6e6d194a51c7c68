package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// testHookBeforeRename, when set by a test, runs after the temp file is
// written and synced and before it is renamed into place: the crash-safety
// test kills the process there.
var testHookBeforeRename func(tmp string)

// tmpPrefix starts every temp file, so that a temp file left by a crash is
// never mistaken for a session and can be cleaned up later.
const tmpPrefix = ".tmp-"

// WriteFile writes data to path atomically with mode 0600: a temp file in the
// same directory, fsync, rename over path, fsync of the directory. Readers see
// the old content or the new, never a partial file, even if the process is
// killed midway. The directory must exist.
func WriteFile(path string, data []byte) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, tmpPrefix+base+"-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	if err = writeSync(f, data); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if testHookBeforeRename != nil {
		testHookBeforeRename(tmp)
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return syncDir(dir)
}

// writeSync makes f 0600 (CreateTemp already does on Unix; the umask cannot
// loosen it), writes data and flushes it to disk before the rename makes it
// visible.
func writeSync(f *os.File, data []byte) error {
	if err := f.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		return err
	}
	if _, err := f.Write(data); err != nil {
		return err
	}
	return f.Sync()
}

// syncDir flushes the directory entry of a rename, so the new file survives a
// power loss. Windows cannot open a directory for sync; there, rename is all.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, fs.ErrInvalid) {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// staleTmpAge is how old a temp file must be before it counts as left behind
// by a crash; a younger one may belong to a save in progress.
const staleTmpAge = 10 * time.Minute

// removeStaleTemps deletes temp files a crashed save left in dir. Errors are
// ignored: a leftover temp file is harmless.
func removeStaleTemps(dir string, now time.Time) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), tmpPrefix) {
			continue
		}
		if info, err := e.Info(); err == nil && now.Sub(info.ModTime()) > staleTmpAge {
			_ = os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}
