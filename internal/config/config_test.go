package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// write puts content in a config.toml in a fresh directory and returns its path.
func write(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadMissingIsEmpty(t *testing.T) {
	t.Parallel()
	f, err := Load(filepath.Join(t.TempDir(), "nope", "config.toml"))
	if err != nil {
		t.Fatalf("Load = %v; want an empty config", err)
	}
	if len(f.Names()) != 0 {
		t.Errorf("Names = %v; want none", f.Names())
	}
	if _, ok := f.Profile("default"); ok {
		t.Error("Profile(default) found in an empty config")
	}
}

func TestLoad(t *testing.T) {
	t.Parallel()
	path := write(t, `# hand-written
[profiles.default]
site = "https://acme.my.site.com/shop"
client_id = "cid"
scope = "api refresh_token"
username = "alice@example.com"
store = "keyring"
capture = "echo"
credentials_in_body = true
session_lifetime = "90m"
min_valid = "10m"

[profiles."ci-prod"]
site = "https://prod.my.site.com"
`)
	f, err := Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got, want := f.Names(), []string{"ci-prod", "default"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Names = %v; want %v", got, want)
	}
	p, ok := f.Profile("default")
	want := Profile{Site: "https://acme.my.site.com/shop", ClientID: "cid", Scope: "api refresh_token",
		Username: "alice@example.com", Store: "keyring", Capture: "echo", CredentialsInBody: true,
		SessionLifetime: 90 * time.Minute, MinValid: 10 * time.Minute}
	if !ok || p != want {
		t.Errorf("Profile(default) = %+v, %v; want %+v", p, ok, want)
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		content string
		line    int
		want    string // substring of the message
	}{
		{"syntax", "[profiles.default]\nsite = \"https://x\"\nclient_id = \n", 3, "expected value"},
		{"unterminated string", "[profiles.default]\n\nsite = \"https://x\n", 3, ""},
		{"duplicate key", "[profiles.a]\nsite = \"x\"\nsite = \"y\"\n", 3, "site"},
		{"unknown key", "[profiles.ci]\nsite = \"x\"\n\nsitee = \"y\"\n", 4, `unknown key "profiles.ci.sitee" (keys: site, client_id`},
		{"secret in config", "[profiles.ci]\nclient_secret = \"s3cr3t\"\n", 2, "set client_secret_file"},
		{"top-level setting", "site = \"x\"\n", 1, "settings go in a profile table"},
		{"singular table", "[profile.ci]\nsite = \"x\"\n", 1, `unknown key "profile.ci": profile tables are named [profiles.NAME]`},
		{"quoted table", "[profiles.\"ci\"]\n  'sitee' = \"x\"\n", 2, "unknown key"},
		{"dotted key", "[profiles]\nci.sitee = \"x\"\n", 2, "unknown key"},
		{"wrong type", "[profiles.ci]\n\nsite = 5\n", 3, "profiles.ci.site"},
		{"bool as string", "[profiles.ci]\ncredentials_in_body = \"yes\"\n", 2, "credentials_in_body"},
		{"bad duration", "[profiles.ci]\nsession_lifetime = \"2 hours\"\n", 2, "session_lifetime"},
		{"negative duration", "[profiles.ci]\nmin_valid = \"-5m\"\n", 2, "positive duration"},
		{"bad store", "[profiles.ci]\nsite = \"x\"\nstore = \"kering\"\n", 3, `"kering" is not one of file, keyring`},
		{"bad capture", "[profiles.ci]\ncapture = \"302\"\n", 2, "capture"},
		{"bad profile name", "[profiles.\"../x\"]\nsite = \"x\"\n", 1, "profile name"},
		{"profiles not a table", "profiles = 3\n", 1, "profiles must be tables"},
		{"profile not a table", "[profiles]\nci = 3\n", 2, "ci"},
		{"array of tables", "[[profiles]]\nsite = \"x\"\n", 1, "profiles must be tables"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := write(t, tt.content)
			_, err := Load(path)
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("Load = %v; want a *config.Error", err)
			}
			if ce.Path != path || ce.Line != tt.line {
				t.Errorf("error at %s:%d; want %s:%d (%v)", ce.Path, ce.Line, path, tt.line, err)
			}
			prefix := path + ":" + strconv.Itoa(tt.line) + ": "
			if !strings.HasPrefix(err.Error(), prefix) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q; want prefix %q and %q", err, prefix, tt.want)
			}
			if strings.Contains(err.Error(), "s3cr3t") {
				t.Errorf("error quotes a secret: %q", err)
			}
		})
	}
}

func TestLoadInlineTables(t *testing.T) {
	t.Parallel()
	path := write(t, "profiles = { ci = { site = \"https://x\", store = \"file\" } }\n")
	f, err := Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if p, _ := f.Profile("ci"); p.Site != "https://x" || p.Store != "file" {
		t.Errorf("Profile(ci) = %+v", p)
	}
}

func TestLoadUnreadable(t *testing.T) {
	t.Parallel()
	if _, err := Load(t.TempDir()); err == nil {
		t.Error("Load(a directory) succeeded")
	}
}

func TestSet(t *testing.T) {
	t.Parallel()
	tests := []struct {
		key, value string
		ok         bool
	}{
		{"site", "https://acme.my.site.com", true},
		{"store", "keyring", true},
		{"store", "file", true},
		{"store", "vault", false},
		{"capture", "local", true},
		{"capture", "browser", false},
		{"credentials_in_body", "true", true},
		{"credentials_in_body", "maybe", false},
		{"session_lifetime", "2h", true},
		{"session_lifetime", "0s", false},
		{"min_valid", "soon", false},
		{"client_secret", "x", false},
		{"Site", "x", false},
		{"site", "", true}, // unset
	}
	for _, tt := range tests {
		f := &File{}
		err := f.Set("ci", tt.key, tt.value)
		if (err == nil) != tt.ok {
			t.Errorf("Set(ci, %q, %q) = %v; want ok=%v", tt.key, tt.value, err, tt.ok)
		}
	}
	f := &File{}
	if err := f.Set("../x", "site", "y"); err == nil {
		t.Error("Set accepted a bad profile name")
	}
}

func TestSetSaveLoadDelete(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "sfecho", "config.toml")
	f, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	sets := [][3]string{
		{"default", "site", "https://acme.my.site.com/shop"},
		{"default", "client_id", "cid"},
		{"default", "session_lifetime", "90m"},
		{"default", "credentials_in_body", "true"},
		{"ci", "site", "https://ci.my.site.com"},
		{"ci", "store", "keyring"},
		{"ci", "username", "bot@example.com"},
		{"ci", "username", ""},
	}
	for _, s := range sets {
		if err := f.Set(s[0], s[1], s[2]); err != nil {
			t.Fatalf("Set%v: %v", s, err)
		}
	}
	if err := f.Save(path); err != nil {
		t.Fatalf("Save: %v", err)
	}
	if runtime.GOOS != "windows" {
		for p, want := range map[string]os.FileMode{path: 0o600, filepath.Dir(path): 0o700} {
			if info, err := os.Stat(p); err != nil || info.Mode().Perm() != want {
				t.Errorf("mode of %s = %v, %v; want %04o", p, info.Mode().Perm(), err, want)
			}
		}
	}
	g, err := Load(path)
	if err != nil {
		t.Fatalf("Load after Save: %v", err)
	}
	if !reflect.DeepEqual(g, f) {
		t.Errorf("round trip: got %+v; want %+v", g, f)
	}
	wantFields := []Field{{"site", "https://ci.my.site.com"}, {"store", "keyring"}}
	if got := g.Profiles["ci"].Fields(); !reflect.DeepEqual(got, wantFields) {
		t.Errorf("Fields = %v; want %v", got, wantFields)
	}
	if !g.Delete("ci") || g.Delete("ci") {
		t.Error("Delete should report true once, then false")
	}
	if err := g.Save(path); err != nil {
		t.Fatal(err)
	}
	h, err := Load(path)
	if err != nil || !reflect.DeepEqual(h.Names(), []string{"default"}) {
		t.Errorf("after Delete: %v, %v", h.Names(), err)
	}
}

func TestKeysDocumented(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, k := range Keys() {
		if k.Value == "" || seen[k.Key] {
			t.Errorf("key %q: empty description or duplicate", k.Key)
		}
		seen[k.Key] = true
	}
	// Every Profile field must have a key, so that `profile set` can set it.
	if n := reflect.TypeFor[Profile]().NumField(); n != len(seen) {
		t.Errorf("Profile has %d fields but %d keys", n, len(seen))
	}
}

func TestSaveFormat(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "config.toml")
	f := &File{}
	for _, kv := range [][2]string{{"site", "https://x.my.site.com"}, {"min_valid", "10m"}} {
		if err := f.Set("ci", kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Set("dev.eu", "store", "file"); err != nil {
		t.Fatal(err)
	}
	if err := f.Save(path); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	want := "# sfecho configuration: profiles for `sfecho --profile NAME`. See `sfecho profile --help`.\n\n" +
		"[profiles.ci]\nsite = \"https://x.my.site.com\"\nmin_valid = \"10m0s\"\n\n[profiles.\"dev.eu\"]\nstore = \"file\"\n"
	if string(got) != want {
		t.Errorf("saved file:\n%s\nwant:\n%s", got, want)
	}
}
