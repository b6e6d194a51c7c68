package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/sfecho/sfecho/internal/store"
)

// maxFileSize caps how much of the config file is read.
const maxFileSize = 1 << 20

// Profile is one [profiles.NAME] table. Empty fields are unset.
type Profile struct {
	Site              string `toml:"site,omitempty"`
	ClientID          string `toml:"client_id,omitempty"`
	RedirectURI       string `toml:"redirect_uri,omitempty"`
	Scope             string `toml:"scope,omitempty"`
	Username          string `toml:"username,omitempty"`
	Store             string `toml:"store,omitempty"`   // "file" or "keyring"
	Capture           string `toml:"capture,omitempty"` // "location", "echo" or "local"
	CredentialsInBody bool   `toml:"credentials_in_body,omitempty"`
	CAFile            string `toml:"ca_file,omitempty"`
	ClientSecretFile  string `toml:"client_secret_file,omitempty"`
	// SessionLifetime is how long an access token lives when introspection
	// cannot tell (Salesforce sends no expires_in, protocol.md §2).
	SessionLifetime time.Duration `toml:"session_lifetime,omitzero"`
	// MinValid is how much validity `sfecho token` wants left before it
	// refreshes.
	MinValid time.Duration `toml:"min_valid,omitzero"`
}

// File is the parsed config file.
type File struct {
	// Default is the profile used when neither --profile nor
	// SFECHO_PROFILE names one ("" means "default"); sfecho profile use
	// sets it.
	Default  string             `toml:"default_profile,omitempty"`
	Profiles map[string]Profile `toml:"profiles,omitempty"`
}

// Load reads the config file at path. A missing file gives an empty File.
// Syntax errors, unknown keys and invalid values give an [*Error] naming the
// file and, where it can be found, the line.
func Load(path string) (*File, error) {
	data, err := readFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &File{Profiles: map[string]Profile{}}, nil
	}
	if err != nil {
		return nil, err
	}
	return parse(path, data)
}

// readFile reads at most maxFileSize bytes of path. The file decides where
// credentials go (site, ca_file, client_secret_file), so one that others
// can write, or that sits in a directory they can write, is refused with
// the chmod that fixes it; a FIFO or device is refused without being
// opened for good.
func readFile(path string) ([]byte, error) {
	f, info, err := store.OpenRegular(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		if errors.Is(err, store.ErrNotRegular) {
			return nil, err // names the path and what it is
		}
		return nil, fmt.Errorf("read config: %w", err)
	}
	defer f.Close()
	dirInfo, _ := os.Stat(filepath.Dir(path))
	if err := store.CheckNotWritable(path, info, dirInfo); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	if len(data) > maxFileSize {
		return nil, &Error{Path: path, Msg: "larger than 1 MiB; is this the config file?"}
	}
	return data, nil
}

// parse decodes data, refusing unknown keys and invalid values.
func parse(path string, data []byte) (*File, error) {
	f := &File{}
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(f)
	if err != nil {
		return nil, decodeError(path, data, err)
	}
	// toml ignores a non-table value for a map; refuse it here.
	if typ := md.Type("profiles"); typ != "" && typ != "Hash" {
		return nil, &Error{Path: path, Line: findLine(data, toml.Key{"profiles"}), Msg: "profiles must be tables: [profiles.NAME]"}
	}
	if undecoded := md.Undecoded(); len(undecoded) > 0 {
		return nil, unknownKeyError(path, data, undecoded[0])
	}
	if f.Profiles == nil {
		f.Profiles = map[string]Profile{}
	}
	if f.Default != "" {
		if err := store.ValidateProfile(f.Default); err != nil {
			return nil, &Error{Path: path, Line: findLine(data, toml.Key{"default_profile"}), Msg: "default_profile: " + err.Error()}
		}
	}
	for _, name := range f.Names() {
		if err := store.ValidateProfile(name); err != nil {
			return nil, &Error{Path: path, Line: findLine(data, toml.Key{"profiles", name}), Msg: err.Error()}
		}
		if key, err := validate(f.Profiles[name]); err != nil {
			k := toml.Key{"profiles", name, key}
			return nil, &Error{Path: path, Line: findLine(data, k), Msg: fmt.Sprintf("%s: %v", k, err)}
		}
	}
	return f, nil
}

// Profile returns the named profile and whether the file defines it.
func (f *File) Profile(name string) (Profile, bool) {
	p, ok := f.Profiles[name]
	return p, ok
}

// Names returns the profile names, sorted.
func (f *File) Names() []string {
	names := make([]string, 0, len(f.Profiles))
	for name := range f.Profiles {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// Set sets key (as spelled in the file, e.g. "client_id") of profile name to
// value, creating the profile if needed; an empty value unsets the key. The
// name, key and value are checked as Load checks them.
func (f *File) Set(name, key, value string) error {
	if err := store.ValidateProfile(name); err != nil {
		return err
	}
	k, ok := lookupKey(key)
	if !ok {
		return fmt.Errorf("unknown key %q (keys: %s)", key, keyList())
	}
	if f.Profiles == nil {
		f.Profiles = map[string]Profile{}
	}
	p := f.Profiles[name]
	if err := k.set(&p, value); err != nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	f.Profiles[name] = p
	return nil
}

// Delete removes profile name and reports whether it existed.
func (f *File) Delete(name string) bool {
	_, ok := f.Profiles[name]
	delete(f.Profiles, name)
	return ok
}

// Save writes the file to path atomically with mode 0600, creating its
// directory with mode 0700. Comments in a hand-edited file are not kept.
func (f *File) Save(path string) error {
	var buf bytes.Buffer
	buf.WriteString("# sfecho configuration: profiles for `sfecho --profile NAME`. See `sfecho profile --help`.\n")
	if f.Default != "" {
		fmt.Fprintf(&buf, "default_profile = %q\n", f.Default)
	}
	for _, name := range f.Names() {
		fmt.Fprintf(&buf, "\n[profiles.%s]\n", tableKey(name))
		if err := toml.NewEncoder(&buf).Encode(f.Profiles[name]); err != nil {
			return fmt.Errorf("encode config: %w", err)
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create config directory: %w", err)
	}
	return store.WriteFile(path, buf.Bytes())
}

// tableKey quotes a profile name for a table header when it is not a bare
// TOML key (profile names may hold '.'; they never hold quotes).
func tableKey(name string) string {
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return `"` + name + `"`
		}
	}
	return name
}
