package store

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"
)

// newSession returns a session for profile with recognisable fake tokens.
func newSession(profile, tag string) *Session {
	raw := `{"access_token":"AT-` + tag + `","refresh_token":"RT-` + tag + `","id_token":"ID-` + tag +
		`","instance_url":"https://acme.my.salesforce.com","issued_at":"1667600739962","signature":"sig","token_type":"Bearer"}`
	return &Session{
		Profile:      profile,
		Site:         "https://acme.my.site.com/shop",
		ClientID:     "cid",
		Username:     "user-" + tag,
		Scope:        "api refresh_token",
		AccessToken:  "AT-" + tag,
		RefreshToken: "RT-" + tag,
		InstanceURL:  "https://acme.my.salesforce.com",
		IssuedAt:     time.UnixMilli(1667600739962).UTC(),
		Expiry:       time.UnixMilli(1667600739962).Add(2 * time.Hour).UTC(),
		ExpirySource: "lifetime",
		Token:        json.RawMessage(raw),
	}
}

// sessDir returns a fresh session directory path that does not exist yet
// (t.TempDir itself may be 0755, which the store refuses).
func sessDir(t *testing.T) string {
	return filepath.Join(t.TempDir(), "sessions")
}

func TestValidateProfile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		ok   bool
	}{
		{"default", true},
		{"ci-prod_2.eu", true},
		{"A", true},
		{strings.Repeat("a", 64), true},
		{strings.Repeat("a", 65), false},
		{"", false},
		{".hidden", false},
		{"-flag", false},
		{"a/b", false},
		{`a\b`, false},
		{"..", false},
		{"a..b", false},
		{"../etc", false},
		{"sp ace", false},
		{"naïve", false},
		{"nul\x00", false},
	}
	for _, tt := range tests {
		err := ValidateProfile(tt.name)
		if (err == nil) != tt.ok {
			t.Errorf("ValidateProfile(%q) = %v; want ok=%v", tt.name, err, tt.ok)
		}
	}
}

func TestFileRoundTrip(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "sfecho", "sessions")
	st := NewFile(dir)
	want := newSession("default", "1")
	if err := st.Save(want); err != nil {
		t.Fatalf("Save: %v", err)
	}
	if want.SavedAt.IsZero() || want.Version != 1 {
		t.Errorf("Save did not set SavedAt/Version: %v %d", want.SavedAt, want.Version)
	}
	got, err := st.Load("default")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if !reflect.DeepEqual(normalize(t, got), normalize(t, want)) {
		t.Errorf("Load = %+v; want %+v", got, want)
	}
	if runtime.GOOS != "windows" {
		assertMode(t, dir, 0o700)
		assertMode(t, st.Path("default"), 0o600)
	}
	assertNoTemps(t, dir)
}

// normalize re-encodes the raw token so that whitespace differences vanish.
func normalize(t *testing.T, s *Session) Session {
	t.Helper()
	c := *s
	var m map[string]any
	if err := json.Unmarshal(c.Token, &m); err != nil {
		t.Fatalf("token: %v", err)
	}
	c.Token, _ = json.Marshal(m)
	return c
}

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Mode().Perm(); got != want {
		t.Errorf("mode of %s = %04o; want %04o", path, got, want)
	}
}

func assertNoTemps(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), tmpPrefix) {
			t.Errorf("temp file left behind: %s", e.Name())
		}
	}
}

func TestFileSaveReplaces(t *testing.T) {
	t.Parallel()
	st := NewFile(sessDir(t))
	for _, tag := range []string{"1", "2", "3"} {
		if err := st.Save(newSession("p", tag)); err != nil {
			t.Fatal(err)
		}
	}
	got, err := st.Load("p")
	if err != nil {
		t.Fatal(err)
	}
	if got.RefreshToken != "RT-3" {
		t.Errorf("RefreshToken = %q; want RT-3", got.RefreshToken)
	}
	assertNoTemps(t, st.Dir())
}

func TestFileNotFound(t *testing.T) {
	t.Parallel()
	st := NewFile(filepath.Join(t.TempDir(), "missing"))
	if _, err := st.Load("default"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Load = %v; want ErrNotFound", err)
	}
	if err := st.Delete("default"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Delete = %v; want ErrNotFound", err)
	}
}

func TestFileDelete(t *testing.T) {
	t.Parallel()
	st := NewFile(sessDir(t))
	if err := st.Save(newSession("a", "1")); err != nil {
		t.Fatal(err)
	}
	if err := st.Save(newSession("b", "1")); err != nil {
		t.Fatal(err)
	}
	if err := st.Delete("a"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := st.Load("a"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Load(a) after Delete = %v; want ErrNotFound", err)
	}
	if _, err := st.Load("b"); err != nil {
		t.Errorf("Load(b) = %v; other profiles must survive", err)
	}
}

func TestFileBadProfile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	st := NewFile(filepath.Join(dir, "s"))
	for _, name := range []string{"../escape", "a/b", "", ".."} {
		if err := st.Save(newSession(name, "1")); err == nil {
			t.Errorf("Save(profile %q) succeeded; want error", name)
		}
		if _, err := st.Load(name); err == nil || errors.Is(err, ErrNotFound) {
			t.Errorf("Load(%q) = %v; want a validation error", name, err)
		}
		if err := st.Delete(name); err == nil {
			t.Errorf("Delete(%q) succeeded; want error", name)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "escape.json")); err == nil {
		t.Error("a session escaped the directory")
	}
	if err := st.Save(nil); err == nil {
		t.Error("Save(nil) succeeded")
	}
}

func TestFileRefusesLoosePermissions(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permission bits on Windows")
	}
	t.Parallel()
	tests := []struct {
		name    string
		file    os.FileMode
		dir     os.FileMode
		saveErr bool // the directory check applies to Save; the file check to Load
		fix     string
	}{
		{"file world-readable", 0o644, 0o700, false, "chmod 600 "},
		{"file group-readable", 0o640, 0o700, false, "chmod 600 "},
		{"file group-writable", 0o620, 0o700, false, "chmod 600 "},
		{"dir world-readable", 0o600, 0o755, true, "chmod 700 "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := NewFile(sessDir(t))
			if err := st.Save(newSession("default", "1")); err != nil {
				t.Fatal(err)
			}
			chmod(t, st.Path("default"), tt.file)
			chmod(t, st.Dir(), tt.dir)
			var err error
			if tt.saveErr {
				err = st.Save(newSession("default", "2"))
			} else {
				_, err = st.Load("default")
			}
			var pe *PermissionError
			if !errors.Is(err, ErrInsecurePermissions) || !errors.As(err, &pe) {
				t.Fatalf("err = %v; want a PermissionError", err)
			}
			if !strings.Contains(err.Error(), tt.fix+pe.Path) {
				t.Errorf("error %q does not say %q", err, tt.fix+pe.Path)
			}
			if strings.Contains(err.Error(), "RT-1") || strings.Contains(err.Error(), "AT-1") {
				t.Errorf("error leaks a token: %q", err)
			}
		})
	}
}

func chmod(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func TestFileCorrupt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		content string
	}{
		{"empty", ""},
		{"garbage", "SECRET-TOKEN-garbage"},
		{"truncated", `{"version":1,"profile":"default","access_token":"AT-x`},
		{"wrong type", `{"version":"one","profile":"default","access_token":"AT-x"}`},
		{"unknown version", `{"version":7,"profile":"default","access_token":"AT-x"}`},
		{"other profile", `{"version":1,"profile":"prod","access_token":"AT-x"}`},
		{"no site", `{"version":1,"profile":"default","access_token":"x"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := NewFile(sessDir(t))
			if err := os.MkdirAll(st.Dir(), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(st.Path("default"), []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := st.Load("default")
			var ce *CorruptError
			if !errors.As(err, &ce) || errors.Is(err, ErrNotFound) {
				t.Fatalf("Load = %v; want a CorruptError, not ErrNotFound", err)
			}
			if !strings.Contains(err.Error(), st.Path("default")) {
				t.Errorf("error %q does not name the file", err)
			}
			if strings.Contains(err.Error(), "AT-x") || strings.Contains(err.Error(), "SECRET") {
				t.Errorf("error %q quotes the file's content", err)
			}
		})
	}
}

func TestFileHintsKeyring(t *testing.T) {
	t.Parallel()
	dir := sessDir(t)
	k := NewKeyring(dir, time.Second)
	k.kr = newFakeKeyring()
	if err := k.Save(newSession("default", "1")); err != nil {
		t.Fatal(err)
	}
	_, err := NewFile(dir).Load("default")
	if !errors.Is(err, ErrNotFound) || !errors.Is(err, ErrInKeyring) || !strings.Contains(err.Error(), "--store keyring") {
		t.Errorf("File.Load = %v; want ErrNotFound with a --store keyring hint", err)
	}
}

func TestRemoveStaleTemps(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	old := filepath.Join(dir, tmpPrefix+"default.json-1")
	young := filepath.Join(dir, tmpPrefix+"default.json-2")
	other := filepath.Join(dir, "default.json")
	for _, p := range []string{old, young, other} {
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	past := time.Now().Add(-time.Hour)
	if err := os.Chtimes(old, past, past); err != nil {
		t.Fatal(err)
	}
	removeStaleTemps(dir, time.Now())
	for p, want := range map[string]bool{old: false, young: true, other: true} {
		_, err := os.Stat(p)
		if (err == nil) != want {
			t.Errorf("%s exists=%v; want %v", filepath.Base(p), err == nil, want)
		}
	}
}
