// Package pkce implements the Proof Key for Code Exchange pieces sfecho needs
// (RFC 7636 with the S256 method only). The exchange itself goes through
// golang.org/x/oauth2's VerifierOption; this package only makes the pair.
//
// Salesforce describes only the S256 form of code_challenge
// (base64url(SHA-256(verifier)) without padding) and documents no
// code_challenge_method parameter; see protocol.md §1.
package pkce

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"

	"golang.org/x/oauth2"
)

// Method is the only code_challenge_method sfecho uses.
const Method = "S256"

// VerifierBytes is how many random bytes a verifier carries: 96 bytes,
// base64url-encoded without padding, are 128 characters — RFC 7636's
// maximum. Salesforce's own clients send 128 bytes (171 characters), which
// standards-strict servers refuse; 128 characters fits both (protocol.md
// Question 9).
const VerifierBytes = 96

// NewVerifier returns a fresh 128-character code verifier: [VerifierBytes]
// bytes from crypto/rand, base64url-encoded (RFC 7636, section 4.1).
func NewVerifier() string {
	b := make([]byte, VerifierBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// ChallengeS256 returns base64url(SHA-256(verifier)) without padding
// (RFC 7636, section 4.2).
func ChallengeS256(verifier string) string { return oauth2.S256ChallengeFromVerifier(verifier) }

// SalesforceMaxVerifier is the longest verifier Salesforce is known to
// accept: its own clients send 171 characters (protocol.md Question 9).
const SalesforceMaxVerifier = 171

// Verify reports whether verifier matches an S256 challenge, as a Salesforce
// token endpoint checks it: 43 to [SalesforceMaxVerifier] unreserved
// characters. The comparison runs in constant time; it is what a server (the
// simulator) does at the token endpoint.
func Verify(verifier, challenge string) bool {
	if checkVerifier(verifier, SalesforceMaxVerifier) != nil {
		return false
	}
	got := ChallengeS256(verifier)
	return subtle.ConstantTimeCompare([]byte(got), []byte(challenge)) == 1
}

// ValidVerifier checks the RFC 7636 section 4.1 rule: 43 to 128 characters
// from the unreserved set [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~".
// The error never contains the verifier.
func ValidVerifier(v string) error { return checkVerifier(v, 128) }

func checkVerifier(v string, maxLen int) error {
	if len(v) < 43 || len(v) > maxLen {
		return fmt.Errorf("code verifier must be 43 to %d characters, got %d", maxLen, len(v))
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
