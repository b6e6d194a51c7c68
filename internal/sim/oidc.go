package sim

import (
	"encoding/base64"
	"net/http"
)

// discovery serves {prefix}/.well-known/openid-configuration (protocol.md
// §9, TV10) for the site, CORS always on. The site signs with ES256, not
// Salesforce's RS256, which is what its metadata says.
func (s *Site) discovery(w http.ResponseWriter, r *http.Request) {
	cors(w, r)
	if r.Method == http.MethodOptions {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	site := s.siteURL(r)
	doc := map[string]any{
		"issuer":                                site,
		"authorization_endpoint":                site + "/services/oauth2/authorize",
		"token_endpoint":                        site + "/services/oauth2/token",
		"revocation_endpoint":                   site + "/services/oauth2/revoke",
		"userinfo_endpoint":                     site + "/services/oauth2/userinfo",
		"jwks_uri":                              site + "/id/keys",
		"scopes_supported":                      s.cfg.Scopes,
		"response_types_supported":              []string{"code", "code_credentials"},
		"grant_types_supported":                 []string{"authorization_code", "refresh_token"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"ES256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "client_secret_basic", "none"},
		"claims_supported": []string{"sub", "iss", "aud", "iat", "exp", "auth_time", "at_hash", "name",
			"preferred_username", "nickname", "given_name", "family_name", "email", "email_verified"},
	}
	if !s.cfg.IntrospectDisabled {
		doc["introspection_endpoint"] = site + "/services/oauth2/introspect"
	}
	writeJSON(w, http.StatusOK, doc)
}

// keys serves {prefix}/id/keys: the JWKS with the site's public key.
func (s *Site) keys(w http.ResponseWriter, r *http.Request) {
	cors(w, r)
	enc := base64.RawURLEncoding
	pt, err := s.key.PublicKey.Bytes() // 0x04 || X || Y
	if err != nil || len(pt) != 65 {
		failStatus(w, http.StatusInternalServerError, "server_error", "signing key unavailable")
		return
	}
	x, y := pt[1:33], pt[33:]
	writeJSON(w, http.StatusOK, map[string]any{"keys": []map[string]string{{
		"kty": "EC", "crv": "P-256", "x": enc.EncodeToString(x), "y": enc.EncodeToString(y),
		"kid": KeyID, "use": "sig", "alg": "ES256",
	}}})
}
