package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"
	"time"
)

// DefaultProfile is the profile used when none is named.
const DefaultProfile = "default"

// ErrNotFound reports that no session is saved for the profile.
var ErrNotFound = errors.New("no saved session")

// ErrInKeyring accompanies [ErrNotFound] from [File.Load] when the profile's
// session was saved with the keyring backend instead.
var ErrInKeyring = errors.New("the session is saved in the OS keyring")

// Session is what sfecho keeps of a login: where and as whom it was made, the
// tokens, and what is known of their expiry.
type Session struct {
	Version      int    `json:"version"` // format version, 1
	Profile      string `json:"profile"`
	Site         string `json:"site"`
	ClientID     string `json:"client_id"`
	Username     string `json:"username,omitempty"`
	RedirectURI  string `json:"redirect_uri,omitempty"`
	Scope        string `json:"scope,omitempty"`
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token,omitempty"`
	InstanceURL  string `json:"instance_url,omitempty"`
	CommunityURL string `json:"sfdc_community_url,omitempty"`
	CommunityID  string `json:"sfdc_community_id,omitempty"`
	IDURL        string `json:"id,omitempty"`
	TokenFormat  string `json:"token_format,omitempty"`
	// CAFile and ClientSecretFile are the paths (never the contents) given
	// at login, so that a refresh hours later trusts the same CA and sends
	// the secret of a private app. PrivateClient records that the app had a
	// secret, from a file or from SFECHO_CLIENT_SECRET.
	CAFile           string `json:"ca_file,omitempty"`
	ClientSecretFile string `json:"client_secret_file,omitempty"`
	PrivateClient    bool   `json:"private_client,omitempty"`
	// TrustedCommunityURLs are the --trust-community-url values of the
	// login, so that refreshes keep sending to a community URL the user
	// trusted explicitly.
	TrustedCommunityURLs []string  `json:"trusted_community_urls,omitempty"`
	IssuedAt             time.Time `json:"issued_at"`
	// Expiry is when the access token stops working; zero means unknown.
	// Salesforce sends no expires_in (protocol.md §2), so it is learnt from
	// introspection, a JWT's exp, or a configured lifetime; ExpirySource
	// says which ("introspect", "jwt", "lifetime").
	Expiry       time.Time `json:"expiry,omitzero"`
	ExpirySource string    `json:"expiry_source,omitempty"`
	// APIVersion is the REST API version `sfecho api` learnt from the site
	// (GET /services/data/, the newest), such as "62.0"; "" until asked.
	APIVersion string `json:"api_version,omitempty"`
	// Token is the whole token response as received, Salesforce's extra
	// fields included, so that `-o json` can print all of it later.
	Token   json.RawMessage `json:"token,omitempty"`
	SavedAt time.Time       `json:"saved_at"`
}

// Store saves and loads sessions by profile name. Save replaces the profile's
// session atomically: a reader sees the old session or the new one, never a
// mix. Load returns an error wrapping [ErrNotFound] when nothing is saved.
type Store interface {
	Load(profile string) (*Session, error)
	Save(s *Session) error
	Delete(profile string) error
	// Name is the backend's name as the --store flag spells it.
	Name() string
	// Dir is the directory the backend keeps its files in; the profile's
	// cross-process lock ([Lock]) lives there too.
	Dir() string
}

// maxProfileLen bounds profile names; they become file names and keyring keys.
const maxProfileLen = 64

// ValidateProfile reports whether name can name a profile: 1 to 64 of
// A-Z a-z 0-9 . _ -, starting with a letter or digit and without "..". The
// name becomes a file name, so anything that could leave the directory is
// refused.
func ValidateProfile(name string) error {
	if name == "" {
		return errors.New("profile name is empty")
	}
	if len(name) > maxProfileLen {
		return fmt.Errorf("profile name %.20q... is longer than %d characters", name, maxProfileLen)
	}
	for i, r := range name {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
		if !ok && (i == 0 || r != '.' && r != '_' && r != '-') {
			return fmt.Errorf("profile name %q: use letters, digits, '.', '_' and '-', starting with a letter or digit", name)
		}
	}
	if strings.Contains(name, "..") {
		return fmt.Errorf("profile name %q must not contain \"..\"", name)
	}
	return nil
}

// validSession checks what Save needs before it writes anything.
func validSession(s *Session) error {
	if s == nil {
		return errors.New("nil session")
	}
	return ValidateProfile(s.Profile)
}

// Saved is one saved session found by [List]: its profile and backend.
type Saved struct {
	Profile string
	Store   string // "file" or "keyring"
}

// List returns the sessions saved in dir, by profile name, for status --all
// and shell completion. A missing directory holds none.
func List(dir string) ([]Saved, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Saved
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || !strings.HasSuffix(name, ".json") {
			continue
		}
		s := Saved{Profile: strings.TrimSuffix(name, ".json"), Store: "file"}
		if p, ok := strings.CutSuffix(name, ".keyring.json"); ok {
			s = Saved{Profile: p, Store: "keyring"}
		}
		if ValidateProfile(s.Profile) == nil {
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Profile < out[j].Profile })
	return out, nil
}
