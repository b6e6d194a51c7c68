package flow

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
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

// stringFields are the token response fields that must be JSON strings.
var stringFields = []string{"access_token", "refresh_token", "token_type", "scope", "instance_url", "id", "id_token",
	"signature", "token_format", "sfdc_community_url", "sfdc_community_id"}

// checkShape says what is wrong with a token response that is JSON: not an
// object, no access_token, or a field of the wrong type. "" when none.
func checkShape(body []byte) string {
	var f map[string]any
	if err := json.Unmarshal(body, &f); err != nil {
		return "the token answer is JSON but not an object"
	}
	for _, k := range stringFields {
		if v, ok := f[k]; ok && v != nil {
			if _, isString := v.(string); !isString {
				return fmt.Sprintf("the token answer's %s is %s, not a string", k, jsonType(v))
			}
		}
	}
	switch f["issued_at"].(type) {
	case nil, string, float64:
	default:
		return "the token answer's issued_at is " + jsonType(f["issued_at"]) + ", not a time"
	}
	if s, _ := f["access_token"].(string); s == "" {
		return "the token answer has no access_token"
	}
	return ""
}

func jsonType(v any) string {
	switch v.(type) {
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return "null"
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
