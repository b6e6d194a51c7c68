package session_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sfecho/sfecho/internal/flow"
	"github.com/sfecho/sfecho/internal/session"
	"github.com/sfecho/sfecho/internal/sim"
	"github.com/sfecho/sfecho/internal/sim/simtest"
	"github.com/sfecho/sfecho/internal/store"
)

const (
	client = "3MVG9session.pkg"
	user   = "dora@example.com"
	pass   = "Dora-Passw0rd!"
)

// site is a simulated site over real HTTP that counts requests by path.
type site struct {
	*simtest.Site
	url   string
	calls map[string]*atomic.Int64
}

func startSite(t *testing.T, mod func(*sim.Config)) *site {
	t.Helper()
	cfg := sim.Config{ClientID: client, Users: []sim.User{{Username: user, Password: pass}}, RotateRefreshTokens: true}
	if mod != nil {
		mod(&cfg)
	}
	s := &site{calls: map[string]*atomic.Int64{}}
	for _, p := range []string{flow.PathToken, flow.PathIntrospect, flow.PathRevoke} {
		s.calls[p] = &atomic.Int64{}
	}
	count := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if n := s.calls[r.URL.Path]; n != nil {
				n.Add(1)
			}
			next.ServeHTTP(w, r)
		})
	}
	s.Site = simtest.Start(t, cfg, simtest.Wrap(count))
	s.url = s.URL
	return s
}

func (s *site) client(t *testing.T) *flow.Client {
	u, err := flow.ParseSite(s.url)
	if err != nil {
		t.Fatal(err)
	}
	return &flow.Client{HTTP: &http.Client{Timeout: 10 * time.Second}, Site: u, ClientID: client, Scope: "api refresh_token"}
}

// countingStore is a file store that can be told to fail saves and that
// signals each Load.
type countingStore struct {
	*store.File
	failSave atomic.Bool
	loaded   chan struct{}
}

func (c *countingStore) Save(s *store.Session) error {
	if c.failSave.Load() {
		return errors.New("disk full")
	}
	return c.File.Save(s)
}

func (c *countingStore) Load(profile string) (*store.Session, error) {
	s, err := c.File.Load(profile)
	if c.loaded != nil {
		select {
		case c.loaded <- struct{}{}:
		default:
		}
	}
	return s, err
}

// loggedIn logs the user in at s and saves the session; it returns the
// manager and its store.
func loggedIn(t *testing.T, s *site, now func() time.Time) (*session.Manager, *countingStore) {
	t.Helper()
	c := s.client(t)
	tok, err := c.Login(t.Context(), flow.Authorization{User: user, Secret: pass}, nil)
	if err != nil {
		t.Fatal(err)
	}
	st := &countingStore{File: store.NewFile(filepath.Join(t.TempDir(), "sessions"))}
	m := &session.Manager{Store: st, Profile: "default", Now: now,
		Client: func(*store.Session) (*flow.Client, error) { return c, nil }}
	who := store.Session{Profile: "default", Site: s.url, ClientID: client, Username: user}
	if err := m.SaveLogin(t.Context(), session.FromLogin(who, tok, time.Now()), nil); err != nil {
		t.Fatal(err)
	}
	return m, st
}

func TestValidLearnsExpiryOnceThenCostsNothing(t *testing.T) {
	t.Parallel()
	s := startSite(t, nil)
	m, _ := loggedIn(t, s, nil)
	for i := 0; i < 3; i++ {
		got, refreshed, err := m.Valid(t.Context(), false)
		if err != nil || refreshed || got.ExpirySource != flow.ExpiryIntrospect {
			t.Fatalf("Valid #%d: %v refreshed=%v source=%q", i, err, refreshed, got.ExpirySource)
		}
	}
	if n := s.calls[flow.PathIntrospect].Load(); n != 1 {
		t.Errorf("%d introspections; want 1", n)
	}
	if n := s.calls[flow.PathToken].Load(); n != 1 { // the login's exchange
		t.Errorf("%d token requests; want 1", n)
	}
}

func TestValidRefreshesWithRotationAndSavesFirst(t *testing.T) {
	t.Parallel()
	s := startSite(t, nil)
	later := func() time.Time { return time.Now().Add(3 * time.Hour) }
	m, _ := loggedIn(t, s, later)
	before, _ := m.Load()
	got, refreshed, err := m.Valid(t.Context(), false)
	if err != nil || !refreshed {
		t.Fatalf("Valid: %v refreshed=%v", err, refreshed)
	}
	saved, _ := m.Load()
	if saved.RefreshToken == before.RefreshToken || saved.AccessToken != got.AccessToken {
		t.Error("the rotated refresh token was not saved")
	}
	var raw map[string]any
	if json.Unmarshal(saved.Token, &raw) != nil || raw["access_token"] != got.AccessToken || raw["id"] == nil {
		t.Errorf("the saved token response does not carry the new token over the old fields: %s", saved.Token)
	}
}

func TestRefusedRefreshForgetsTheTokens(t *testing.T) {
	t.Parallel()
	s := startSite(t, nil)
	m, _ := loggedIn(t, s, func() time.Time { return time.Now().Add(3 * time.Hour) })
	cur, _ := m.Load()
	if err := s.client(t).Revoke(t.Context(), "", cur.RefreshToken); err != nil {
		t.Fatal(err)
	}
	_, _, err := m.Valid(t.Context(), false)
	if flow.KindOf(err) != flow.KindNoSession {
		t.Fatalf("Valid after revocation: %v (kind %v); want KindNoSession", err, flow.KindOf(err))
	}
	saved, _ := m.Load()
	if !session.Revoked(saved) || strings.Contains(string(saved.Token), cur.RefreshToken) {
		t.Fatalf("the dead tokens were kept: %+v", saved)
	}
	if _, _, err := m.Valid(t.Context(), false); !errors.Is(err, session.ErrRevoked) {
		t.Errorf("Valid of a revoked session: %v; want ErrRevoked", err)
	}
}

func TestNoRefreshToken(t *testing.T) {
	t.Parallel()
	s := startSite(t, nil)
	m, _ := loggedIn(t, s, func() time.Time { return time.Now().Add(3 * time.Hour) })
	if _, err := m.Update(t.Context(), func(cur *store.Session) (session.Action, error) {
		cur.RefreshToken = ""
		return session.Save, nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := m.Valid(t.Context(), false); !errors.Is(err, session.ErrNoRefreshToken) {
		t.Errorf("Valid: %v; want ErrNoRefreshToken", err)
	}
}

func TestSaveFailureAfterRefreshSaysTheTokensAreNew(t *testing.T) {
	t.Parallel()
	s := startSite(t, nil)
	m, st := loggedIn(t, s, func() time.Time { return time.Now().Add(3 * time.Hour) })
	st.failSave.Store(true)
	_, _, err := m.Valid(t.Context(), false)
	var se *session.SaveError
	if !errors.As(err, &se) || !se.Refreshed {
		t.Fatalf("Valid with a failing store: %v; want a SaveError with Refreshed", err)
	}
}

// TestUpdateNeverRecreatesAVanishedSession is the logout/token race, made
// deterministic: a token run reads the session, then waits for the lock
// that a logout holds while the site revokes; the logout deletes the
// session. The token run must see no session, and nothing may bring the
// session back.
func TestUpdateNeverRecreatesAVanishedSession(t *testing.T) {
	t.Parallel()
	s := startSite(t, nil)
	m, st := loggedIn(t, s, nil)
	inLogout, release := make(chan struct{}), make(chan struct{})
	logoutDone := make(chan error, 1)
	go func() {
		_, err := m.Update(context.Background(), func(*store.Session) (session.Action, error) {
			close(inLogout)
			<-release
			return session.Delete, nil
		})
		logoutDone <- err
	}()
	<-inLogout
	tokenM := *m
	tokenStore := &countingStore{File: st.File, loaded: make(chan struct{}, 1)}
	tokenM.Store = tokenStore
	tokenDone := make(chan error, 1)
	go func() {
		_, _, err := tokenM.Valid(context.Background(), false)
		tokenDone <- err
	}()
	<-tokenStore.loaded // the token run has read the session, before the lock
	close(release)
	if err := <-logoutDone; err != nil {
		t.Fatal(err)
	}
	if err := <-tokenDone; !errors.Is(err, session.ErrNoSession) {
		t.Fatalf("token run during logout: %v; want ErrNoSession", err)
	}
	if _, err := m.Load(); !errors.Is(err, session.ErrNoSession) || !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the session came back: %v", err)
	}
	if n := s.calls[flow.PathIntrospect].Load(); n != 0 {
		t.Errorf("%d introspections of a logged-out session", n)
	}
}

func TestUpdateOfNothingSaved(t *testing.T) {
	t.Parallel()
	m := &session.Manager{Store: store.NewFile(filepath.Join(t.TempDir(), "sessions")), Profile: "ci"}
	called := false
	_, err := m.Update(t.Context(), func(*store.Session) (session.Action, error) { called = true; return session.Save, nil })
	if !errors.Is(err, session.ErrNoSession) || called {
		t.Fatalf("Update: %v, fn called %v; want ErrNoSession without calling fn", err, called)
	}
	if _, err := m.Load(); !errors.Is(err, session.ErrNoSession) {
		t.Fatalf("Update created a session: %v", err)
	}
}

func TestLockTimeout(t *testing.T) {
	t.Parallel()
	st := store.NewFile(filepath.Join(t.TempDir(), "sessions"))
	unlock, err := store.Lock(t.Context(), st.Dir(), "default")
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	m := &session.Manager{Store: st, Profile: "default", LockWait: 60 * time.Millisecond}
	if _, err := m.Update(t.Context(), func(*store.Session) (session.Action, error) { return session.Keep, nil }); !errors.Is(err, session.ErrLockTimeout) {
		t.Fatalf("Update while another holds the lock: %v; want ErrLockTimeout", err)
	}
}

func TestSaveLoginReportsWhatItReplaces(t *testing.T) {
	t.Parallel()
	m := &session.Manager{Store: store.NewFile(filepath.Join(t.TempDir(), "sessions")), Profile: "default"}
	tok := &flow.Token{AccessToken: "00Dx!first", Raw: json.RawMessage(`{"access_token":"00Dx!first"}`)}
	var replaced []string
	note := func(old *store.Session) { replaced = append(replaced, old.Username) }
	for _, u := range []string{"a@example.com", "b@example.com"} {
		if err := m.SaveLogin(t.Context(), session.FromLogin(store.Session{Profile: "default", Username: u, Site: "https://x.example", ClientID: "cid"}, tok, time.Now()), note); err != nil {
			t.Fatal(err)
		}
	}
	if strings.Join(replaced, ",") != "a@example.com" {
		t.Errorf("replaced = %v; want [a@example.com]", replaced)
	}
}
