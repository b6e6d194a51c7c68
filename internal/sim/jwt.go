package sim

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
)

// KeyID is the kid of the site's ES256 signing key.
const KeyID = "sim-es256"

// signJWT serializes claims as an ES256 JWS (RFC 7515 compact form, with the
// raw 64-byte r||s signature of RFC 7518 §3.4).
func (s *Site) signJWT(claims map[string]any) string {
	enc := base64.RawURLEncoding
	head, _ := json.Marshal(map[string]string{"alg": "ES256", "typ": "JWT", "kid": KeyID})
	body, _ := json.Marshal(claims)
	input := enc.EncodeToString(head) + "." + enc.EncodeToString(body)
	sum := sha256.Sum256([]byte(input))
	r, sig, err := ecdsa.Sign(rand.Reader, s.key, sum[:])
	if err != nil {
		panic("sim: sign: " + err.Error()) // only fails on a broken key
	}
	raw := make([]byte, 64)
	r.FillBytes(raw[:32])
	sig.FillBytes(raw[32:])
	return input + "." + enc.EncodeToString(raw)
}
