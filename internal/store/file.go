package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// maxSessionSize caps how much of a session file is read.
const maxSessionSize = 1 << 20

// File is the default backend: one JSON file per profile, <dir>/<profile>.json,
// mode 0600 in a 0700 directory. A file or directory that group or others
// can access is refused with a [*PermissionError].
type File struct {
	dir string
}

// NewFile returns a file backend keeping sessions in dir, which is created
// on the first Save. Production passes os.UserConfigDir()/sfecho/sessions;
// tests pass t.TempDir().
func NewFile(dir string) *File { return &File{dir: dir} }

// Name returns "file".
func (f *File) Name() string { return "file" }

// Dir returns the directory the sessions are kept in.
func (f *File) Dir() string { return f.dir }

// Path returns the file that holds profile's session.
func (f *File) Path(profile string) string {
	return filepath.Join(f.dir, profile+".json")
}

// Load reads profile's session. No file gives an error wrapping
// [ErrNotFound]; a file others can read, or one that is not a valid session,
// gives an error naming the file.
func (f *File) Load(profile string) (*Session, error) {
	if err := ValidateProfile(profile); err != nil {
		return nil, err
	}
	if err := checkDir(f.dir); err != nil {
		return nil, err
	}
	data, err := readPrivate(f.Path(profile))
	if errors.Is(err, ErrNotFound) {
		if _, kerr := os.Stat(filepath.Join(f.dir, profile+".keyring.json")); kerr == nil {
			return nil, fmt.Errorf("%w in %s (%w: use --store keyring)", ErrNotFound, f.Path(profile), ErrInKeyring)
		}
	}
	if err != nil {
		return nil, err
	}
	return decodeSession(f.Path(profile), data, profile)
}

// Save writes s atomically to its profile's file and sets s.SavedAt.
func (f *File) Save(s *Session) error {
	if err := validSession(s); err != nil {
		return err
	}
	if err := ensureDir(f.dir); err != nil {
		return err
	}
	s.Version = 1
	s.SavedAt = time.Now().UTC()
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("encode session: %w", err)
	}
	removeStaleTemps(f.dir, s.SavedAt)
	return WriteFile(f.Path(s.Profile), append(data, '\n'))
}

// Delete removes profile's session. Deleting a session that does not exist
// gives an error wrapping [ErrNotFound].
func (f *File) Delete(profile string) error {
	if err := ValidateProfile(profile); err != nil {
		return err
	}
	err := os.Remove(f.Path(profile))
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("profile %q: %w", profile, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return syncDir(f.dir)
}

// readPrivate reads a file that must be private to its owner, checking the
// permissions of the open file (not the path) so the check and the read
// concern the same file. A FIFO or device is refused without being opened
// for good ([OpenRegular]).
func readPrivate(path string) ([]byte, error) {
	fh, info, err := OpenRegular(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", path, ErrNotFound)
	}
	if errors.Is(err, ErrNotRegular) {
		return nil, fmt.Errorf("session file %w", err)
	}
	if err != nil {
		return nil, fmt.Errorf("read session: %w", err)
	}
	defer fh.Close()
	if err := checkPerm(path, info); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(fh, maxSessionSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(data) > maxSessionSize {
		return nil, fmt.Errorf("session file %s is larger than 1 MiB", path)
	}
	return data, nil
}

// CorruptError reports a session file that is not a valid session. It is
// not [ErrNotFound]: a damaged file is something to look at, not to silently
// log in over.
type CorruptError struct {
	Path string
	Err  error
}

// Error names the file and the decoding problem (never the file's content).
func (e *CorruptError) Error() string {
	return fmt.Sprintf("session file %s is damaged (%v): delete it or run sfecho logout, then sfecho login", e.Path, e.Err)
}

// Unwrap returns the decoding error.
func (e *CorruptError) Unwrap() error { return e.Err }

// decodeSession parses a saved session and checks it belongs to profile.
func decodeSession(path string, data []byte, profile string) (*Session, error) {
	var s Session
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, &CorruptError{Path: path, Err: jsonErr(err)}
	}
	switch {
	case s.Version != 1:
		return nil, &CorruptError{Path: path, Err: fmt.Errorf("unknown format version %d", s.Version)}
	case s.Profile != profile:
		return nil, &CorruptError{Path: path, Err: fmt.Errorf("it holds profile %q", s.Profile)}
	case s.Site == "" || s.ClientID == "":
		// A session without tokens is fine: they were revoked.
		return nil, &CorruptError{Path: path, Err: errors.New("it names no site or app")}
	}
	return &s, nil
}

// jsonErr keeps a JSON error's position but drops any echo of the input: a
// syntax error can quote a character of a token.
func jsonErr(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("invalid JSON at byte %d", se.Offset)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("field %q has the wrong type", te.Field)
	}
	return errors.New("invalid JSON")
}
