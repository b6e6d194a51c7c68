package sim

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
)

// errBadBasic means an Authorization: Basic header that does not decode to
// "name:secret".
var errBadBasic = errors.New("invalid basic auth header")

// basicCreds returns the name and secret of an Authorization: Basic header,
// and ok=false when there is no Basic header. Standard padded base64 and the
// Android SDK's URL-safe unpadded form are both accepted (protocol.md TV1,
// TV13). The split is at the first ':' since usernames and identifiers hold
// none; a password may (protocol.md §1 leaves this [UNCONFIRMED]). Nothing
// is trimmed.
func basicCreds(r *http.Request) (name, secret string, ok bool, err error) {
	h := r.Header.Get("Authorization")
	scheme, payload, found := strings.Cut(h, " ")
	if !found || !strings.EqualFold(scheme, "Basic") {
		return "", "", false, nil
	}
	raw, err := decodeBase64(strings.TrimSpace(payload))
	if err != nil {
		return "", "", true, errBadBasic
	}
	name, secret, found = strings.Cut(string(raw), ":")
	if !found || name == "" {
		return "", "", true, errBadBasic
	}
	return name, secret, true, nil
}

func decodeBase64(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, errBadBasic
}

// bearer returns the token of an Authorization: Bearer header ("OAuth" is
// Salesforce's older synonym), or "".
func bearer(r *http.Request) string {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !(strings.EqualFold(scheme, "Bearer") || strings.EqualFold(scheme, "OAuth")) {
		return ""
	}
	return strings.TrimSpace(tok)
}
