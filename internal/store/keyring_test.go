package store

import (
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
)

// fakeKeyring is an in-memory secretStore; with block set, every call waits
// until block is closed, like go-keyring with a dead D-Bus secret service.
type fakeKeyring struct {
	mu    sync.Mutex
	items map[string]string
	block chan struct{}
	err   error
}

func newFakeKeyring() *fakeKeyring { return &fakeKeyring{items: map[string]string{}} }

func (f *fakeKeyring) wait() error {
	if f.block != nil {
		<-f.block
	}
	return f.err
}

func (f *fakeKeyring) Get(service, user string) (string, error) {
	if err := f.wait(); err != nil {
		return "", err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.items[service+"/"+user]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return v, nil
}

func (f *fakeKeyring) Set(service, user, secret string) error {
	if err := f.wait(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.items[service+"/"+user] = secret
	return nil
}

func (f *fakeKeyring) Delete(service, user string) error {
	if err := f.wait(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.items[service+"/"+user]; !ok {
		return keyring.ErrNotFound
	}
	delete(f.items, service+"/"+user)
	return nil
}

func newTestKeyring(t *testing.T) (*Keyring, *fakeKeyring) {
	k := NewKeyring(sessDir(t), time.Second)
	f := newFakeKeyring()
	k.kr = f
	return k, f
}

func TestKeyringRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		mod  func(*Session)
	}{
		{"full response", func(*Session) {}},
		{"no token response", func(s *Session) { s.Token = nil }},
		{"no refresh token", func(s *Session) {
			s.RefreshToken = ""
			s.Token = json.RawMessage(`{"access_token":"AT-1","scope":"api"}`)
		}},
		{"response differs from session", func(s *Session) {
			s.Token = json.RawMessage(`{"access_token":"AT-new","id_token":"ID-1"}`)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			k, f := newTestKeyring(t)
			want := newSession("default", "1")
			tt.mod(want)
			if err := k.Save(want); err != nil {
				t.Fatalf("Save: %v", err)
			}
			got, err := k.Load("default")
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if want.Token == nil {
				if !reflect.DeepEqual(*got, *want) {
					t.Errorf("Load = %+v; want %+v", got, want)
				}
			} else if !reflect.DeepEqual(normalize(t, got), normalize(t, want)) {
				t.Errorf("Load = %+v\nwant %+v", got, want)
			}
			meta, err := os.ReadFile(k.metaPath("default"))
			if err != nil {
				t.Fatal(err)
			}
			for _, secret := range []string{"AT-", "RT-", "ID-"} {
				if strings.Contains(string(meta), secret) {
					t.Errorf("metadata file holds a secret (%s...):\n%s", secret, meta)
				}
			}
			if item := f.items["sfecho/default"]; len(item) > 400 {
				t.Errorf("keyring item is %d bytes; secrets are stored twice?", len(item))
			}
		})
	}
}

func TestKeyringDelete(t *testing.T) {
	t.Parallel()
	k, f := newTestKeyring(t)
	if err := k.Save(newSession("default", "1")); err != nil {
		t.Fatal(err)
	}
	if err := k.Delete("default"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if len(f.items) != 0 {
		t.Errorf("keyring still holds %v", f.items)
	}
	if _, err := k.Load("default"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Load after Delete = %v; want ErrNotFound", err)
	}
	if err := k.Delete("default"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second Delete = %v; want ErrNotFound", err)
	}
}

func TestKeyringItemMissing(t *testing.T) {
	t.Parallel()
	k, f := newTestKeyring(t)
	if err := k.Save(newSession("default", "1")); err != nil {
		t.Fatal(err)
	}
	delete(f.items, "sfecho/default")
	_, err := k.Load("default")
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "keyring has no item") {
		t.Errorf("Load = %v; want ErrNotFound saying the keyring item is missing", err)
	}
}

func TestKeyringTimeout(t *testing.T) {
	t.Parallel()
	k := NewKeyring(sessDir(t), 20*time.Millisecond)
	f := newFakeKeyring()
	f.block = make(chan struct{})
	t.Cleanup(func() { close(f.block) })
	k.kr = f
	err := k.Save(newSession("default", "1"))
	if !errors.Is(err, ErrKeyringUnavailable) || !strings.Contains(err.Error(), "no answer after") {
		t.Errorf("Save = %v; want ErrKeyringUnavailable after a timeout", err)
	}
	if _, serr := os.Stat(k.metaPath("default")); serr == nil {
		t.Error("metadata written although the keyring write failed")
	}
}

func TestKeyringErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"no secret service", errors.New("The name org.freedesktop.secrets was not provided"), ErrKeyringUnavailable},
		{"too big", keyring.ErrSetDataTooBig, ErrKeyringTooBig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			k, f := newTestKeyring(t)
			f.err = tt.err
			if err := k.Save(newSession("default", "1")); !errors.Is(err, tt.want) {
				t.Errorf("Save = %v; want %v", err, tt.want)
			}
		})
	}
}

// TestKeyringGoKeyringMock runs the real go-keyring code path against its
// in-memory mock provider. MockInit replaces a package global of go-keyring,
// so this test does not run in parallel with itself (it is the only user).
func TestKeyringGoKeyringMock(t *testing.T) {
	keyring.MockInit()
	k := NewKeyring(sessDir(t), time.Second)
	want := newSession("ci", "7")
	if err := k.Save(want); err != nil {
		t.Fatalf("Save: %v", err)
	}
	got, err := k.Load("ci")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got.RefreshToken != "RT-7" || got.AccessToken != "AT-7" {
		t.Errorf("Load tokens = %q, %q", got.AccessToken, got.RefreshToken)
	}
	if err := k.Delete("ci"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	keyring.MockInitWithError(errors.New("dbus: connection refused"))
	if _, err := NewKeyring(sessDir(t), time.Second).Load("x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Load without metadata = %v; want ErrNotFound before the keyring is asked", err)
	}
	if err := k.Save(want); !errors.Is(err, ErrKeyringUnavailable) {
		t.Errorf("Save with a failing keyring = %v; want ErrKeyringUnavailable", err)
	}
}
