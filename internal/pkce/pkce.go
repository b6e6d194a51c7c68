// Package pkce implements the Proof Key for Code Exchange pieces sfecho needs
// (RFC 7636 with the S256 method only), thinly over golang.org/x/oauth2.
//
// Salesforce describes only the S256 form of code_challenge
// (base64url(SHA-256(verifier)) without padding) and documents no
// code_challenge_method parameter; see protocol.md §1.
package pkce

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"

	"golang.org/x/oauth2"
)

// Method is the only code_challenge_method sfecho uses.
const Method = "S256"

// NewVerifier returns a fresh code verifier: 32 bytes from crypto/rand,
// base64url-encoded to 43 unreserved characters (RFC 7636, section 4.1).
func NewVerifier() string { return oauth2.GenerateVerifier() }

// ChallengeS256 returns base64url(SHA-256(verifier)) without padding
// (RFC 7636, section 4.2).
func ChallengeS256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// Verify reports whether verifier matches an S256 challenge. The comparison
// runs in constant time; it is what a server (the simulator) does at the
// token endpoint.
func Verify(verifier, challenge string) bool {
	if ValidVerifier(verifier) != nil {
		return false
	}
	got := ChallengeS256(verifier)
	return subtle.ConstantTimeCompare([]byte(got), []byte(challenge)) == 1
}

// ValidVerifier checks the RFC 7636 section 4.1 rule: 43 to 128 characters
// from the unreserved set [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~".
// The error never contains the verifier.
func ValidVerifier(v string) error {
	if len(v) < 43 || len(v) > 128 {
		return fmt.Errorf("code verifier must be 43 to 128 characters, got %d", len(v))
	}
	for i := 0; i < len(v); i++ {
		if !unreserved(v[i]) {
			return errors.New("code verifier may hold only A-Z a-z 0-9 - . _ ~")
		}
	}
	return nil
}

func unreserved(c byte) bool {
	switch {
	case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		return true
	}
	return c == '-' || c == '.' || c == '_' || c == '~'
}
