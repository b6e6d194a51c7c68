package store

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// secretFields are the token-response fields that never go to a file in the
// keyring backend.
var secretFields = []string{"access_token", "refresh_token", "id_token"}

// keyringItem is what the keyring holds for a profile. Token holds the secret
// fields removed from the saved token response, except those equal to
// AccessToken or RefreshToken (listed in Keys only, to keep the item small).
type keyringItem struct {
	AccessToken  string                     `json:"access_token"`
	RefreshToken string                     `json:"refresh_token,omitempty"`
	Keys         []string                   `json:"keys,omitempty"`
	Token        map[string]json.RawMessage `json:"token,omitempty"`
}

// splitSecrets returns a copy of s without secrets, for the metadata file,
// and the keyring item with them.
func splitSecrets(s *Session) (*Session, string, error) {
	meta := *s
	meta.AccessToken, meta.RefreshToken = "", ""
	item := keyringItem{AccessToken: s.AccessToken, RefreshToken: s.RefreshToken}
	if len(s.Token) > 0 {
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(s.Token, &raw); err != nil {
			return nil, "", fmt.Errorf("session token response is not a JSON object: %w", jsonErr(err))
		}
		for _, k := range secretFields {
			v, ok := raw[k]
			if !ok {
				continue
			}
			delete(raw, k)
			item.Keys = append(item.Keys, k)
			if !sameString(v, item.valueOf(k)) {
				if item.Token == nil {
					item.Token = map[string]json.RawMessage{}
				}
				item.Token[k] = v
			}
		}
		b, err := json.Marshal(raw)
		if err != nil {
			return nil, "", err
		}
		meta.Token = b
	}
	b, err := json.Marshal(item)
	return &meta, string(b), err
}

// mergeSecrets puts the keyring item's secrets back into s.
func mergeSecrets(s *Session, itemJSON string) error {
	var item keyringItem
	if err := json.Unmarshal([]byte(itemJSON), &item); err != nil {
		return jsonErr(err)
	}
	s.AccessToken, s.RefreshToken = item.AccessToken, item.RefreshToken
	if len(item.Keys) == 0 {
		return nil
	}
	raw := map[string]json.RawMessage{}
	if len(s.Token) > 0 {
		if err := json.Unmarshal(s.Token, &raw); err != nil {
			return jsonErr(err)
		}
	}
	for _, k := range item.Keys {
		v, ok := item.Token[k]
		if !ok {
			v, _ = json.Marshal(item.valueOf(k))
		}
		raw[k] = v
	}
	b, err := json.Marshal(raw)
	s.Token = b
	return err
}

// valueOf returns the item field a token-response key duplicates, if any.
func (it *keyringItem) valueOf(key string) string {
	switch key {
	case "access_token":
		return it.AccessToken
	case "refresh_token":
		return it.RefreshToken
	}
	return ""
}

// sameString reports whether raw is the JSON string s (s non-empty).
func sameString(raw json.RawMessage, s string) bool {
	if s == "" {
		return false
	}
	want, _ := json.Marshal(s)
	return bytes.Equal(bytes.TrimSpace(raw), want)
}
