package session

import (
	"encoding/json"
	"time"

	"github.com/sfecho/sfecho/internal/flow"
	"github.com/sfecho/sfecho/internal/store"
)

// FromLogin builds the session of a fresh login: who tells where and as
// whom (profile, site, client id, username, redirect URI, scope, the paths
// of the CA and secret files); the token's fields are laid in. A JWT's exp
// is kept as the expiry; an opaque token's is learnt by the first
// [Manager.Valid], so that a login stays at two requests.
func FromLogin(who store.Session, tok *flow.Token, now time.Time) *store.Session {
	s := who
	s.AccessToken, s.RefreshToken = tok.AccessToken, tok.RefreshToken
	s.InstanceURL, s.CommunityURL, s.CommunityID = tok.InstanceURL, tok.CommunityURL, tok.CommunityID
	s.IDURL, s.TokenFormat = tok.ID, tok.TokenFormat
	s.IssuedAt = issuedAt(tok, now)
	s.Token = append(json.RawMessage(nil), tok.Raw...)
	s.Expiry, s.ExpirySource = time.Time{}, ""
	if exp, ok := flow.JWTExpiry(tok.AccessToken); ok {
		s.Expiry, s.ExpirySource = exp, flow.ExpiryJWT
	}
	return &s
}

// ApplyToken returns s updated with a refresh answer. An answer without
// refresh_token (no rotation) keeps the old one; Salesforce fields the
// answer lacks (id_token, for one) are kept from before. A JWT's exp is
// the new expiry; otherwise it is unknown until learnt again.
func ApplyToken(s *store.Session, tok *flow.Token, now time.Time) *store.Session {
	ns := *s
	ns.AccessToken = tok.AccessToken
	setIf(&ns.RefreshToken, tok.RefreshToken)
	setIf(&ns.InstanceURL, tok.InstanceURL)
	setIf(&ns.CommunityURL, tok.CommunityURL)
	setIf(&ns.CommunityID, tok.CommunityID)
	setIf(&ns.IDURL, tok.ID)
	setIf(&ns.TokenFormat, tok.TokenFormat)
	ns.IssuedAt = issuedAt(tok, now)
	ns.Expiry, ns.ExpirySource = time.Time{}, ""
	if exp, ok := flow.JWTExpiry(tok.AccessToken); ok {
		ns.Expiry, ns.ExpirySource = exp, flow.ExpiryJWT
	}
	ns.Token = mergeRaw(s.Token, tok.Raw)
	return &ns
}

// ForgetTokens clears what the site no longer honours: the access token
// only (a refresh token remains to get another), or every token, from the
// fields and from the saved token response alike.
func ForgetTokens(s *store.Session, accessOnly bool) {
	s.AccessToken, s.Expiry, s.ExpirySource = "", time.Time{}, ""
	drop := []string{"access_token"}
	if !accessOnly {
		s.RefreshToken = ""
		drop = append(drop, "refresh_token", "id_token")
	}
	var raw map[string]json.RawMessage
	if json.Unmarshal(s.Token, &raw) == nil && raw != nil {
		for _, k := range drop {
			delete(raw, k)
		}
		if b, err := json.Marshal(raw); err == nil {
			s.Token = b
		}
	}
}

// issuedAt is the token's issued_at, else now.
func issuedAt(tok *flow.Token, now time.Time) time.Time {
	if t := tok.IssuedTime(); !t.IsZero() {
		return t.UTC()
	}
	return now.UTC()
}

func setIf(dst *string, v string) {
	if v != "" {
		*dst = v
	}
}

// mergeRaw returns the JSON object old with newer's fields laid over it;
// newer alone when either is not a JSON object.
func mergeRaw(old, newer json.RawMessage) json.RawMessage {
	var o, n map[string]json.RawMessage
	if json.Unmarshal(old, &o) != nil || json.Unmarshal(newer, &n) != nil || n == nil {
		return append(json.RawMessage(nil), newer...)
	}
	if o == nil {
		o = map[string]json.RawMessage{}
	}
	for k, v := range n {
		o[k] = v
	}
	b, err := json.Marshal(o)
	if err != nil {
		return append(json.RawMessage(nil), newer...)
	}
	return b
}
