package session

import (
	"context"
	"errors"
	"time"

	"github.com/sfecho/sfecho/internal/flow"
	"github.com/sfecho/sfecho/internal/store"
)

// Valid returns the session with at least MinValid left on its access
// token, refreshing it first when needed (always when force); refreshed
// says whether it did. A valid session with a known expiry costs no request
// and no lock. Salesforce sends no expires_in (protocol.md §2), so the first
// call after a login or refresh of an opaque token asks the site once
// (introspection) and saves the answer; where that fails, Lifetime after
// issued_at applies from then on.
func (m *Manager) Valid(ctx context.Context, force bool) (s *store.Session, refreshed bool, err error) {
	if s, err = m.Load(); err != nil {
		return nil, false, err
	}
	if Revoked(s) {
		return nil, false, ErrRevoked
	}
	if !force && s.ExpirySource == "" {
		if s, err = m.learnExpiry(ctx); err != nil {
			return nil, false, err
		}
	}
	if !force && !m.NeedsRefresh(s) {
		return s, false, nil
	}
	s, err = m.Update(ctx, func(cur *store.Session) (Action, error) {
		switch {
		case Revoked(cur):
			return Keep, ErrRevoked
		case !force && !m.NeedsRefresh(cur):
			return Keep, nil // another process refreshed meanwhile
		}
		refreshed = true
		return m.refresh(ctx, cur)
	})
	var se *SaveError
	if errors.As(err, &se) {
		se.Refreshed = refreshed
	}
	if err == nil && refreshed && m.NeedsRefresh(s) {
		exp, _ := m.Expiry(s)
		m.warnf("the new access token is valid for %v, less than the %v asked for: the site's sessions are shorter",
			exp.Sub(m.now()).Round(time.Second), m.minValid())
	}
	return s, refreshed && err == nil, err
}

// learnExpiry asks the site, once and under the lock, when the access token
// expires, and saves the answer: concurrent jobs ask once, the others find
// the answer when they re-read. An inactive token is marked expired, so it
// gets refreshed. Failing to ask or to save is not an error; a session that
// vanished meanwhile is.
func (m *Manager) learnExpiry(ctx context.Context) (*store.Session, error) {
	s, err := m.Update(ctx, func(s *store.Session) (Action, error) {
		if s.ExpirySource != "" || s.AccessToken == "" {
			return Keep, nil // learnt by another process, or nothing to ask about
		}
		c, err := m.Client(s)
		if err != nil {
			return Keep, nil // the refresh, if one is due, reports it
		}
		in, err := c.Introspect(ctx, s.CommunityURL, s.AccessToken, "access_token")
		switch {
		case err != nil, in.Active && in.Exp == 0:
			s.Expiry, s.ExpirySource = time.Time{}, ExpiryLifetime
		case !in.Active:
			s.Expiry, s.ExpirySource = m.now().Add(-time.Second), flow.ExpiryIntrospect
		default:
			s.Expiry, s.ExpirySource = in.Expiry(), flow.ExpiryIntrospect
		}
		return Save, nil
	})
	var se *SaveError
	switch {
	case errors.As(err, &se):
		m.warnf("could not save the token's expiry: %v", se.Err)
		return s, nil
	case errors.Is(err, ErrNoSession), errors.Is(err, context.Canceled), ctx.Err() != nil:
		return nil, err
	case err != nil:
		// The lock is busy or broken: go on with what was read; a
		// refresh, if one is due, takes the lock itself.
		return m.Load()
	}
	return s, nil
}

// refresh trades s's refresh token for new tokens; the caller holds the
// lock. Once the request is sent the answer is waited for and saved even if
// ctx is cancelled (SIGINT/SIGTERM): with rotation the site may already have
// killed the old refresh token. A refresh token the site refuses is dead,
// and with rotation reuse detection its access tokens too: both are
// forgotten, so they are never handed out again.
func (m *Manager) refresh(ctx context.Context, s *store.Session) (Action, error) {
	if s.RefreshToken == "" {
		return Keep, ErrNoRefreshToken
	}
	c, err := m.Client(s)
	if err != nil {
		return Keep, err
	}
	tok, err := c.Refresh(context.WithoutCancel(ctx), s.CommunityURL, s.RefreshToken)
	if err != nil {
		if flow.KindOf(err) == flow.KindNoSession {
			ForgetTokens(s, false)
			return Save, err
		}
		return Keep, err
	}
	*s = *ApplyToken(s, tok, m.now())
	return Save, nil
}

// Expiry returns when s's access token expires and how that is known: the
// saved expiry (a JWT's exp or introspection), else issued_at + Lifetime.
func (m *Manager) Expiry(s *store.Session) (time.Time, string) {
	if !s.Expiry.IsZero() {
		return s.Expiry, s.ExpirySource
	}
	issued := s.IssuedAt
	if issued.IsZero() {
		issued = s.SavedAt
	}
	lifetime := m.Lifetime
	if lifetime <= 0 {
		lifetime = DefaultLifetime
	}
	return issued.Add(lifetime), ExpiryLifetime
}

// NeedsRefresh reports whether s's access token has less than MinValid left.
func (m *Manager) NeedsRefresh(s *store.Session) bool {
	exp, _ := m.Expiry(s)
	return s.AccessToken == "" || !m.now().Add(m.minValid()).Before(exp)
}

func (m *Manager) minValid() time.Duration {
	if m.MinValid <= 0 {
		return DefaultMinValid
	}
	return m.MinValid
}

// Revoked reports whether s has no token left: revoked, or refused.
func Revoked(s *store.Session) bool { return s.AccessToken == "" && s.RefreshToken == "" }
