package flow

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"time"
)

// Token is a token response, kept whole: Salesforce's extras (instance_url,
// id, issued_at, signature, sfdc_community_url, ...) are part of the answer
// people want to see (design.md, "Output").
type Token struct {
	// Raw is the response body exactly as received.
	Raw json.RawMessage
	// Fields is Raw decoded, for -o json and for extras not named below.
	Fields map[string]any

	// The fields Salesforce documents (protocol.md §2, TV3), as strings.
	AccessToken  string
	RefreshToken string
	TokenType    string
	Scope        string
	InstanceURL  string
	ID           string // identity URL https://<instance>/id/<orgId>/<userId>
	IDToken      string
	IssuedAt     string // epoch milliseconds as a string (protocol.md §2)
	Signature    string
	TokenFormat  string
	CommunityURL string
	CommunityID  string
}

// ParseToken decodes a token response body.
func ParseToken(body []byte) (*Token, error) {
	var f map[string]any
	if err := json.Unmarshal(body, &f); err != nil {
		return nil, err
	}
	s := func(k string) string { v, _ := f[k].(string); return v }
	t := &Token{Raw: append(json.RawMessage(nil), body...), Fields: f,
		AccessToken: s("access_token"), RefreshToken: s("refresh_token"), TokenType: s("token_type"),
		Scope: s("scope"), InstanceURL: s("instance_url"), ID: s("id"), IDToken: s("id_token"),
		IssuedAt: s("issued_at"), Signature: s("signature"), TokenFormat: s("token_format"),
		CommunityURL: s("sfdc_community_url"), CommunityID: s("sfdc_community_id")}
	if n, ok := f["issued_at"].(float64); ok && t.IssuedAt == "" {
		t.IssuedAt = strconv.FormatInt(int64(n), 10)
	}
	return t, nil
}

// IssuedTime returns issued_at as a time; zero when absent or malformed.
func (t *Token) IssuedTime() time.Time {
	ms, err := strconv.ParseInt(t.IssuedAt, 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}

// VerifySignature checks Salesforce's signature field: the base64 of
// HMAC-SHA256 over id + issued_at, keyed with the consumer secret
// (protocol.md §2, [S36]). It proves the identity URL was not altered.
func (t *Token) VerifySignature(secret string) bool {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(t.ID + t.IssuedAt))
	want := mac.Sum(nil)
	got, err := base64.StdEncoding.DecodeString(t.Signature)
	return err == nil && hmac.Equal(got, want)
}
