package sim

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"math/big"
)

// The simulated org's fixed record IDs (18-character form).
const (
	OrgID       = "00D5g0000004SimEAA"
	CommunityID = "0DB5g0000004SimGAA"
)

// tokenChars are the characters of Salesforce access and refresh tokens.
const tokenChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._"

func randBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return b
}

func randString(alphabet string, n int) string {
	b := make([]byte, n)
	max := big.NewInt(int64(len(alphabet)))
	for i := range b {
		v, _ := rand.Int(rand.Reader, max)
		b[i] = alphabet[v.Int64()]
	}
	return string(b)
}

// newCode returns an authorization code shaped like Salesforce's: "aPrx"
// and 80 URL-safe base64 characters, the last two "=", so a Location header
// carries it as ...%3D%3D (protocol.md TV12).
func newCode() string {
	return "aPrx" + base64.URLEncoding.EncodeToString(randBytes(58))
}

// newAccessToken returns an opaque session ID: the 15-character org ID, "!",
// and a long random tail, as Salesforce's look.
func newAccessToken() string {
	return OrgID[:15] + "!AQ" + randString(tokenChars, 106)
}

// newRefreshToken returns a refresh token shaped like Salesforce's "5Aep861...".
func newRefreshToken() string {
	return "5Aep861" + randString(tokenChars[:62], 80)
}

// newIdentifier returns a headless init request identifier; it never holds
// ':' since it travels in Basic identifier:otp.
func newIdentifier() string {
	return base64.RawURLEncoding.EncodeToString(randBytes(24))
}

// newOTP returns a six-digit one-time password.
func newOTP() string {
	v, _ := rand.Int(rand.Reader, big.NewInt(1_000_000))
	return fmt.Sprintf("%06d", v.Int64())
}
