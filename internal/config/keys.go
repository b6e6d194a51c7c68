package config

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// key is one profile setting: its name in the file, a one-line description
// for `sfecho profile --help`, and how to read and write it as text.
type key struct {
	name string
	desc string
	get  func(p *Profile) string
	set  func(p *Profile, v string) error
}

// keys lists every profile setting in file order.
var keys = []key{
	strKey("site", "Experience Cloud site URL, with its path prefix if any", func(p *Profile) *string { return &p.Site }),
	strKey("client_id", "consumer key of the external client app", func(p *Profile) *string { return &p.ClientID }),
	strKey("redirect_uri", "callback registered on the app (default <site>/services/oauth2/echo)", func(p *Profile) *string { return &p.RedirectURI }),
	strKey("scope", "space-separated scopes, e.g. \"api refresh_token\"", func(p *Profile) *string { return &p.Scope }),
	strKey("username", "the user to log in as", func(p *Profile) *string { return &p.Username }),
	enumKey("store", "where sessions are saved", func(p *Profile) *string { return &p.Store }, "file", "keyring"),
	enumKey("capture", "how the 302 is captured", func(p *Profile) *string { return &p.Capture }, "location", "echo", "local"),
	{name: "credentials_in_body", desc: "send username and password in the POST body instead of a Basic header",
		get: func(p *Profile) string { return fmtBool(p.CredentialsInBody) },
		set: func(p *Profile, v string) error { return parseBool(v, &p.CredentialsInBody) }},
	strKey("ca_file", "PEM file of CA certificates to trust for the site", func(p *Profile) *string { return &p.CAFile }),
	strKey("client_secret_file", "file holding the client secret (private clients only)", func(p *Profile) *string { return &p.ClientSecretFile }),
	durKey("session_lifetime", "access-token lifetime when introspection cannot tell (default 2h)", func(p *Profile) *time.Duration { return &p.SessionLifetime }),
	durKey("min_valid", "validity `sfecho token` wants left before it refreshes (default 5m)", func(p *Profile) *time.Duration { return &p.MinValid }),
}

// Field is one set key of a profile, for display.
type Field struct {
	Key, Value string
}

// Fields returns p's set keys and their values, in file order.
func (p Profile) Fields() []Field {
	var out []Field
	for _, k := range keys {
		if v := k.get(&p); v != "" {
			out = append(out, Field{k.name, v})
		}
	}
	return out
}

// Keys returns every key a profile can set, each with a short description,
// in file order.
func Keys() []Field {
	out := make([]Field, len(keys))
	for i, k := range keys {
		out[i] = Field{k.name, k.desc}
	}
	return out
}

// lookupKey finds a key by its name in the file.
func lookupKey(name string) (key, bool) {
	// The flag spelling (client-id) names the same key as client_id.
	name = strings.ReplaceAll(name, "-", "_")
	for _, k := range keys {
		if k.name == name {
			return k, true
		}
	}
	return key{}, false
}

// keyList returns the key names, comma-separated, for error messages.
func keyList() string {
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = k.name
	}
	return strings.Join(names, ", ")
}

// validate checks the values that have a fixed form and returns the first
// offending key.
func validate(p Profile) (string, error) {
	for _, k := range keys {
		if err := k.set(&p, k.get(&p)); err != nil {
			return k.name, err
		}
	}
	return "", nil
}

func strKey(name, desc string, field func(*Profile) *string) key {
	return key{name: name, desc: desc,
		get: func(p *Profile) string { return *field(p) },
		set: func(p *Profile, v string) error { *field(p) = v; return nil }}
}

func enumKey(name, desc string, field func(*Profile) *string, values ...string) key {
	desc += ": " + strings.Join(values[:len(values)-1], ", ") + " or " + values[len(values)-1]
	return key{name: name, desc: desc,
		get: func(p *Profile) string { return *field(p) },
		set: func(p *Profile, v string) error {
			if v != "" && !slices.Contains(values, v) {
				return fmt.Errorf("%q is not one of %s", v, strings.Join(values, ", "))
			}
			*field(p) = v
			return nil
		}}
}

func durKey(name, desc string, field func(*Profile) *time.Duration) key {
	return key{name: name, desc: desc,
		get: func(p *Profile) string {
			if *field(p) == 0 {
				return ""
			}
			return field(p).String()
		},
		set: func(p *Profile, v string) error {
			if v == "" {
				*field(p) = 0
				return nil
			}
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return fmt.Errorf("%q is not a positive duration such as 90m or 2h", v)
			}
			*field(p) = d
			return nil
		}}
}

func fmtBool(b bool) string {
	if b {
		return "true"
	}
	return ""
}

func parseBool(v string, dst *bool) error {
	if v == "" {
		*dst = false
		return nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return errors.New("want true or false")
	}
	*dst = b
	return nil
}
