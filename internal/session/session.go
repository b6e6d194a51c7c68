// Package session owns the life of a profile's saved session: when its
// access token counts as valid, when to learn its expiry or refresh it, and
// how it changes.
//
// The one rule: nothing saves a session it did not re-read under the
// profile's cross-process lock. Every change goes through [Manager.Update],
// which takes the lock, re-reads the session, lets the caller change it and
// saves (or deletes) it; a session that vanished meanwhile (a logout) is
// [ErrNoSession], never re-created. Refresh tokens may be single-use
// (Salesforce refresh token rotation, protocol.md §9), so a stale copy saved
// over a newer one would hand out dead or revoked tokens for hours.
//
// A fresh login is the only write that is not an update: [Manager.SaveLogin]
// replaces whatever was saved, under the same lock.
package session

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sfecho/sfecho/internal/flow"
	"github.com/sfecho/sfecho/internal/store"
)

// Defaults of the Manager's settings.
const (
	// DefaultLifetime is the access-token lifetime assumed when neither a
	// JWT's exp nor introspection tells: Salesforce's default session
	// timeout is 2 hours, and no expires_in is sent (protocol.md §2).
	DefaultLifetime = 2 * time.Hour
	// DefaultMinValid is how much validity a token must have left.
	DefaultMinValid = 5 * time.Minute
	// DefaultLockWait bounds the wait for another process's refresh: two
	// requests at the default 30s timeout, and then some.
	DefaultLockWait = 2 * time.Minute
)

// ExpiryLifetime marks a session whose expiry could not be learnt: the
// configured lifetime applies (the other sources are flow.ExpiryJWT and
// flow.ExpiryIntrospect).
const ExpiryLifetime = "lifetime"

// Errors a caller maps to exit codes. Store errors (a damaged file, an
// unusable keyring, unsafe permissions) are passed through as they are.
var (
	// ErrNoSession: nothing is saved for the profile, or it vanished under
	// the lock. It wraps store.ErrNotFound (and store.ErrInKeyring when the
	// session is in the other backend).
	ErrNoSession = errors.New("no saved session")
	// ErrRevoked: the session's tokens were revoked or rejected by the site.
	ErrRevoked = errors.New("the session was revoked or rejected by the site")
	// ErrNoRefreshToken: the token needs a refresh and none was issued.
	ErrNoRefreshToken = errors.New("the saved session has no refresh token")
	// ErrLockTimeout: another process held the lock for over LockWait.
	ErrLockTimeout = errors.New("another sfecho process holds the session lock")
)

// SaveError reports that saving failed. Refreshed says the site had already
// issued new tokens: with rotation the saved refresh token is then dead.
type SaveError struct {
	Err       error
	Refreshed bool
}

func (e *SaveError) Error() string { return "saving the session failed: " + e.Err.Error() }

// Unwrap returns the store's error.
func (e *SaveError) Unwrap() error { return e.Err }

// Manager owns one profile's saved session. Set Store, Profile and Client;
// the zero values of the rest take the defaults above.
type Manager struct {
	Store   store.Store
	Profile string
	// Client builds the flow client for s's site and app (TLS, timeout,
	// secret): what the caller knows and this package does not.
	Client func(s *store.Session) (*flow.Client, error)
	// Now is the clock (nil: time.Now).
	Now func() time.Time
	// MinValid is how much validity Valid wants left; Lifetime is the
	// lifetime assumed when the site does not tell.
	MinValid, Lifetime time.Duration
	// LockWait bounds the wait for the profile's lock.
	LockWait time.Duration
	// Warnf reports what goes wrong without failing the call (nil: silent).
	Warnf func(format string, args ...any)
}

// Action is what [Manager.Update] does with the session after its callback.
type Action int

// The actions of an update.
const (
	Keep   Action = iota // leave the saved session as it is
	Save                 // save the (changed) session
	Delete               // remove the saved session
)

// Load reads the profile's session without the lock, for reading only.
func (m *Manager) Load() (*store.Session, error) {
	s, err := m.Store.Load(m.Profile)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w: %w", ErrNoSession, err)
	}
	return s, err
}

// Update takes the profile's lock, re-reads the session, calls fn with it
// and carries out the Action fn returns. fn changes s in place. An error from
// fn is returned after its action is carried out, so that a refresh the site
// refused can still save the session without its dead tokens. A session
// that is not there (any more) is ErrNoSession and fn is not called. Update
// returns the session as fn left it.
func (m *Manager) Update(ctx context.Context, fn func(s *store.Session) (Action, error)) (*store.Session, error) {
	unlock, err := m.lock(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { _ = unlock() }()
	s, err := m.Load()
	if err != nil {
		return nil, err
	}
	act, ferr := fn(s)
	switch act {
	case Save:
		if err := m.Store.Save(s); err != nil {
			if ferr != nil {
				m.warnf("could not save the session: %v", err)
				return s, ferr
			}
			return s, &SaveError{Err: err}
		}
	case Delete:
		if err := m.Store.Delete(m.Profile); err != nil {
			return s, err
		}
	}
	return s, ferr
}

// Discard removes the saved session under the lock without reading it: for
// a session too damaged to load, which logging out must still remove.
func (m *Manager) Discard(ctx context.Context) error {
	unlock, err := m.lock(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = unlock() }()
	return m.Store.Delete(m.Profile)
}

// SaveLogin saves the session of a fresh login under the lock, replacing
// whatever was saved. replaced, when not nil, is called (under the lock)
// with the session being replaced, if any could be read.
func (m *Manager) SaveLogin(ctx context.Context, s *store.Session, replaced func(old *store.Session)) error {
	unlock, err := m.lock(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = unlock() }()
	if replaced != nil {
		if old, err := m.Store.Load(m.Profile); err == nil {
			replaced(old)
		}
	}
	if err := m.Store.Save(s); err != nil {
		return &SaveError{Err: err}
	}
	return nil
}

// lock takes the profile's cross-process lock, waiting at most LockWait.
func (m *Manager) lock(ctx context.Context) (func() error, error) {
	wait := m.LockWait
	if wait <= 0 {
		wait = DefaultLockWait
	}
	lctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	unlock, err := store.Lock(lctx, m.Store.Dir(), m.Profile)
	switch {
	case err == nil:
		return unlock, nil
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case errors.Is(err, context.DeadlineExceeded):
		return nil, fmt.Errorf("%w for over %v", ErrLockTimeout, wait)
	}
	return nil, err
}

func (m *Manager) now() time.Time {
	if m.Now == nil {
		return time.Now()
	}
	return m.Now()
}

func (m *Manager) warnf(format string, args ...any) {
	if m.Warnf != nil {
		m.Warnf(format, args...)
	}
}
