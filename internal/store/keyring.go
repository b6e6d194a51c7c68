package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/zalando/go-keyring"
)

// KeyringService is the service name sfecho's items carry in the OS keyring;
// the item's key (account) is the profile name.
const KeyringService = "sfecho"

// DefaultKeyringTimeout bounds each keyring call when NewKeyring is given none.
const DefaultKeyringTimeout = 5 * time.Second

// ErrKeyringUnavailable reports that the OS keyring could not be used (no
// secret service, locked, timed out). sfecho stops rather than fall back to a
// file the user did not ask for.
var ErrKeyringUnavailable = errors.New("OS keyring unavailable")

// ErrKeyringTooBig reports a session too large for the OS keyring (macOS
// takes about 3000 bytes, Windows 2560 bytes of secret).
var ErrKeyringTooBig = errors.New("session too large for the OS keyring")

// secretStore is the part of go-keyring Keyring uses; tests substitute a fake
// that blocks or fails.
type secretStore interface {
	Get(service, user string) (string, error)
	Set(service, user, secret string) error
	Delete(service, user string) error
}

// goKeyring is the real OS keyring.
type goKeyring struct{}

func (goKeyring) Get(service, user string) (string, error) { return keyring.Get(service, user) }
func (goKeyring) Set(service, user, secret string) error   { return keyring.Set(service, user, secret) }
func (goKeyring) Delete(service, user string) error        { return keyring.Delete(service, user) }

// Keyring keeps the secrets of a session (access, refresh and ID token) in the
// OS keyring under service "sfecho" and key = profile, and the rest (site,
// expiry, the token response without its secrets) in <dir>/<profile>.keyring.json,
// mode 0600. Only the secrets go to the keyring because macOS and Windows cap
// an item's size. Every keyring call runs under a timeout: go-keyring can
// hang when no D-Bus secret service answers.
type Keyring struct {
	dir     string
	timeout time.Duration
	kr      secretStore
}

// NewKeyring returns a keyring backend keeping metadata in dir; each keyring
// call gives up after timeout (DefaultKeyringTimeout when timeout <= 0).
func NewKeyring(dir string, timeout time.Duration) *Keyring {
	if timeout <= 0 {
		timeout = DefaultKeyringTimeout
	}
	return &Keyring{dir: dir, timeout: timeout, kr: goKeyring{}}
}

// Check asks the keyring for an item that does not exist, to learn before
// a login whether the keyring works at all: a login whose tokens cannot be
// saved would leave a live grant at the site.
func (k *Keyring) Check() error {
	_, err := k.call("check", func() (string, error) { return k.kr.Get(KeyringService, "sfecho-check") })
	if errors.Is(err, keyring.ErrNotFound) {
		return nil
	}
	return err
}

// Name returns "keyring".
func (k *Keyring) Name() string { return "keyring" }

// Dir returns the directory the metadata files are kept in.
func (k *Keyring) Dir() string { return k.dir }

// metaPath returns the file with profile's non-secret session data.
func (k *Keyring) metaPath(profile string) string {
	return filepath.Join(k.dir, profile+".keyring.json")
}

// Load reads profile's metadata file and its secrets from the keyring.
func (k *Keyring) Load(profile string) (*Session, error) {
	if err := ValidateProfile(profile); err != nil {
		return nil, err
	}
	if err := checkDir(k.dir); err != nil {
		return nil, err
	}
	path := k.metaPath(profile)
	data, err := readPrivate(path)
	if err != nil {
		return nil, err
	}
	var s Session
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, &CorruptError{Path: path, Err: jsonErr(err)}
	}
	if s.Version != 1 || s.Profile != profile {
		return nil, &CorruptError{Path: path, Err: errors.New("not a session of this profile")}
	}
	item, err := k.call("read", func() (string, error) { return k.kr.Get(KeyringService, profile) })
	if errors.Is(err, keyring.ErrNotFound) {
		return nil, fmt.Errorf("profile %q: %s exists but the OS keyring has no item for it: %w", profile, path, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	if err := mergeSecrets(&s, item); err != nil {
		return nil, fmt.Errorf("keyring item sfecho/%s is damaged (%v): run sfecho login", profile, err)
	}
	return &s, nil
}

// Save puts s's secrets in the keyring, then writes the rest atomically to
// the metadata file, and sets s.SavedAt. The keyring goes first: if the
// process dies between the two, the keyring already holds the newest
// (possibly rotated) refresh token, and the stale metadata only makes sfecho
// refresh early.
func (k *Keyring) Save(s *Session) error {
	if err := validSession(s); err != nil {
		return err
	}
	if err := ensureDir(k.dir); err != nil {
		return err
	}
	s.Version = 1
	s.SavedAt = time.Now().UTC()
	meta, item, err := splitSecrets(s)
	if err != nil {
		return err
	}
	if _, err := k.call("write", func() (string, error) { return "", k.kr.Set(KeyringService, s.Profile, item) }); err != nil {
		return err
	}
	data, err := json.MarshalIndent(meta, "", "  ")
	if err != nil {
		return fmt.Errorf("encode session: %w", err)
	}
	return WriteFile(k.metaPath(s.Profile), append(data, '\n'))
}

// Delete removes profile's keyring item and metadata file. It wraps
// [ErrNotFound] only when neither existed.
func (k *Keyring) Delete(profile string) error {
	if err := ValidateProfile(profile); err != nil {
		return err
	}
	_, kerr := k.call("delete", func() (string, error) { return "", k.kr.Delete(KeyringService, profile) })
	if kerr != nil && !errors.Is(kerr, keyring.ErrNotFound) {
		return kerr
	}
	ferr := os.Remove(k.metaPath(profile))
	if ferr != nil && !errors.Is(ferr, os.ErrNotExist) {
		return fmt.Errorf("delete session: %w", ferr)
	}
	if kerr != nil && ferr != nil {
		return fmt.Errorf("profile %q: %w", profile, ErrNotFound)
	}
	return nil
}

// call runs one keyring operation under k.timeout. A hung call is abandoned
// (its goroutine lives on until the process exits, which for a CLI is soon).
// Errors other than "not found" and "too big" mean the keyring is unavailable.
func (k *Keyring) call(op string, fn func() (string, error)) (string, error) {
	type result struct {
		v   string
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := fn()
		ch <- result{v, err}
	}()
	t := time.NewTimer(k.timeout)
	defer t.Stop()
	select {
	case r := <-ch:
		switch {
		case r.err == nil, errors.Is(r.err, keyring.ErrNotFound):
			return r.v, r.err
		case errors.Is(r.err, keyring.ErrSetDataTooBig):
			return "", fmt.Errorf("%w: use --store file", ErrKeyringTooBig)
		}
		return "", fmt.Errorf("%w: %s: %v", ErrKeyringUnavailable, op, r.err)
	case <-t.C:
		return "", fmt.Errorf("%w: %s: no answer after %v (is a secret service such as gnome-keyring running and unlocked?)", ErrKeyringUnavailable, op, k.timeout)
	}
}
