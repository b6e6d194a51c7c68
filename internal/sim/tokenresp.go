package sim

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"time"
)

// tokenResponse is the token endpoint's answer, fields in the order of the
// documented example (protocol.md TV3). There is no expires_in.
type tokenResponse struct {
	AccessToken      string `json:"access_token"`
	RefreshToken     string `json:"refresh_token,omitempty"`
	SfdcCommunityURL string `json:"sfdc_community_url"`
	SfdcCommunityID  string `json:"sfdc_community_id"`
	Signature        string `json:"signature,omitempty"`
	TokenFormat      string `json:"token_format"`
	Scope            string `json:"scope"`
	IDToken          string `json:"id_token,omitempty"`
	InstanceURL      string `json:"instance_url"`
	ID               string `json:"id"`
	TokenType        string `json:"token_type"`
	IssuedAt         string `json:"issued_at"`
}

// GuestUserID is the site guest user's ID, the subject of guest tokens.
const GuestUserID = "0055g0000000GstAAA"

// issueTokens mints an access token (and a refresh token when newRefresh
// and the scope grants one) in fam, and builds the response. Caller holds
// s.mu.
func (s *Site) issueTokens(r *http.Request, u *member, clientID, scope, uvid string, fam *family, newRefresh bool) tokenResponse {
	now := s.now()
	site := s.siteURL(r)
	userID := GuestUserID
	if u != nil {
		userID = u.ID
	}
	at := &token{fam: fam, user: u, clientID: clientID, scope: scope, uvid: uvid, issued: now,
		expires: now.Add(s.cfg.AccessTokenTTL), jwt: u == nil || s.cfg.JWTAccessTokens}
	at.value = newAccessToken()
	format := "opaque"
	if at.jwt {
		at.value, format = s.accessJWT(site, userID, at), "jwt"
	}
	s.st.add(at)
	resp := tokenResponse{AccessToken: at.value, SfdcCommunityURL: site, SfdcCommunityID: CommunityID,
		TokenFormat: format, Scope: scope, InstanceURL: s.instanceURL(r),
		ID: site + "/id/" + OrgID + "/" + userID, TokenType: "Bearer",
		IssuedAt: strconv.FormatInt(now.UnixMilli(), 10)}
	if newRefresh && (hasScope(scope, "refresh_token") || hasScope(scope, "offline_access")) {
		rt := &token{value: newRefreshToken(), refresh: true, fam: fam, user: u, clientID: clientID,
			scope: scope, uvid: uvid, issued: now}
		if s.cfg.RefreshTokenTTL > 0 {
			rt.expires = now.Add(s.cfg.RefreshTokenTTL)
		}
		s.st.add(rt)
		resp.RefreshToken = rt.value
	}
	if u != nil && hasScope(scope, "openid") {
		resp.IDToken = s.idToken(site, clientID, resp.ID, u, at.value, now)
	}
	resp.Signature = Signature(s.consumerSecret, resp.ID, resp.IssuedAt)
	return resp
}

// Signature is Salesforce's token response signature:
// base64(HMAC-SHA256(key=client secret, message=id+issued_at)) (protocol.md §2).
func Signature(secret, id, issuedAt string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(id + issuedAt))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// idToken returns an ES256-signed OpenID Connect ID token for u.
func (s *Site) idToken(site, clientID, sub string, u *member, accessToken string, now time.Time) string {
	sum := sha256.Sum256([]byte(accessToken))
	return s.signJWT(map[string]any{
		"iss": site, "sub": sub, "aud": clientID, "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
		"auth_time": now.Unix(), "at_hash": base64.RawURLEncoding.EncodeToString(sum[:16]),
		"preferred_username": u.Username, "nickname": nickname(u), "name": fullName(u),
		"given_name": u.FirstName, "family_name": u.LastName, "email": u.Email, "email_verified": u.Email != "",
		"user_id": u.ID, "organization_id": OrgID,
	})
}

// accessJWT returns a JWT-based access token for t (protocol.md §7, S47).
func (s *Site) accessJWT(site, userID string, t *token) string {
	claims := map[string]any{
		"iss": site, "aud": site, "sub": "uid:" + userID, "client_id": t.clientID, "scp": t.scope,
		"iat": t.issued.Unix(), "nbf": t.issued.Unix(), "exp": t.expires.Unix(),
		"jti": newIdentifier(), "mty": "oauth", "oid": OrgID, "sid": CommunityID,
	}
	if t.uvid != "" {
		claims["uvid"] = t.uvid
	}
	if t.user == nil {
		claims["sty"] = "guest"
	}
	return s.signJWT(claims)
}
