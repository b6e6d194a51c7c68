package pkce

import (
	"fmt"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

// The RFC 7636 Appendix B vector.
const (
	rfcVerifier  = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	rfcChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
)

func TestChallengeS256RFC7636AppendixB(t *testing.T) {
	if got := ChallengeS256(rfcVerifier); got != rfcChallenge {
		t.Errorf("ChallengeS256(%q) = %q; want %q", rfcVerifier, got, rfcChallenge)
	}
	if got := oauth2.S256ChallengeFromVerifier(rfcVerifier); got != rfcChallenge {
		t.Errorf("oauth2.S256ChallengeFromVerifier disagrees: %q", got)
	}
	if !Verify(rfcVerifier, rfcChallenge) {
		t.Error("Verify(rfc vector) = false; want true")
	}
	if Verify(rfcVerifier, rfcChallenge[:len(rfcChallenge)-1]+"x") {
		t.Error("Verify accepted a wrong challenge")
	}
}

func TestNewVerifier(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		v := NewVerifier()
		if len(v) != 128 {
			t.Fatalf("NewVerifier() is %d characters; want 128", len(v))
		}
		if err := ValidVerifier(v); err != nil {
			t.Fatalf("NewVerifier() = %q: %v", v, err)
		}
		if seen[v] {
			t.Fatalf("NewVerifier repeated %q", v)
		}
		seen[v] = true
	}
}

func TestValidVerifier(t *testing.T) {
	for _, tc := range []struct {
		v  string
		ok bool
	}{
		{rfcVerifier, true},
		{strings.Repeat("a", 42), false},
		{strings.Repeat("a", 43), true},
		{strings.Repeat("~", 128), true},
		{strings.Repeat("a", 129), false},
		{strings.Repeat("a", 42) + "+", false},
		{strings.Repeat("a", 42) + "=", false},
	} {
		if err := ValidVerifier(tc.v); (err == nil) != tc.ok {
			t.Errorf("ValidVerifier(%q) = %v; want ok=%v", tc.v, err, tc.ok)
		}
	}
	if Verify("short", ChallengeS256("short")) {
		t.Error("Verify accepted a verifier shorter than 43 characters")
	}
}

func ExampleChallengeS256() {
	fmt.Println(ChallengeS256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"))
	// Output: E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM
}

// Salesforce's clients send 171-character verifiers (protocol.md Q9), so
// the server-side check accepts up to 171 while ValidVerifier keeps RFC
// 7636's 128.
func TestVerifyLengths(t *testing.T) {
	for _, tc := range []struct {
		n  int
		ok bool
	}{{42, false}, {43, true}, {128, true}, {171, true}, {172, false}} {
		v := strings.Repeat("a", tc.n)
		if got := Verify(v, ChallengeS256(v)); got != tc.ok {
			t.Errorf("Verify(%d chars) = %v; want %v", tc.n, got, tc.ok)
		}
	}
}
