package sim

import (
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"
	"strings"
)

// errBadBasic means an Authorization: Basic header that decodes but not to
// "name:secret".
var errBadBasic = errors.New("invalid basic auth header")

// errBasicEncoding means a Basic header that is not standard padded base64
// (RFC 7617): the URL-safe or unpadded form older Mobile SDKs sent. The real
// site's edge answers it with a generic HTML error page, not an OAuth error
// (protocol.md §1, Android PR #3007, iOS PR #4161).
var errBasicEncoding = errors.New("basic auth header is not standard base64")

// basicCreds returns the name and secret of an Authorization: Basic header,
// and ok=false when there is no Basic header. Only standard padded base64
// decodes (errBasicEncoding otherwise). The split is at the first ':' since
// usernames and identifiers hold none; a password may (protocol.md §1
// leaves this [UNCONFIRMED]). Nothing is trimmed.
func basicCreds(r *http.Request) (name, secret string, ok bool, err error) {
	h := r.Header.Get("Authorization")
	scheme, payload, found := strings.Cut(h, " ")
	if !found || !strings.EqualFold(scheme, "Basic") {
		return "", "", false, nil
	}
	raw, err := base64.StdEncoding.Strict().DecodeString(strings.TrimSpace(payload))
	if err != nil {
		return "", "", true, errBasicEncoding
	}
	name, secret, found = strings.Cut(string(raw), ":")
	if !found || name == "" {
		return "", "", true, errBadBasic
	}
	return name, secret, true, nil
}

var edgeErrorPage = template.Must(template.New("edge").Parse(`<!DOCTYPE html>
<html><head><title>Error</title></head>
<body><h1>An error occurred while processing your request.</h1><p>Please try again later (sfecho simulated Experience Cloud site).</p></body></html>
`))

// edgeError answers what the site's edge sends for a malformed Basic
// header: a generic HTML error page, not an OAuth error (protocol.md §1).
func (s *Site) edgeError(w http.ResponseWriter) {
	s.logf("authorize: Basic header not standard padded base64: generic error page")
	writeHTML(w, http.StatusBadRequest, edgeErrorPage, nil)
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
