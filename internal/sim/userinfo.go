package sim

import (
	"net/http"
	"strings"
	"time"
)

// userInfo is the UserInfo answer, keys as in the documented sample
// (protocol.md TV9). UVID is the sim's way to show a linked guest context.
type userInfo struct {
	Sub                string            `json:"sub"`
	UserID             string            `json:"user_id"`
	OrganizationID     string            `json:"organization_id"`
	PreferredUsername  string            `json:"preferred_username"`
	Nickname           string            `json:"nickname"`
	Name               string            `json:"name"`
	Email              string            `json:"email"`
	EmailVerified      bool              `json:"email_verified"`
	GivenName          string            `json:"given_name"`
	FamilyName         string            `json:"family_name"`
	Zoneinfo           string            `json:"zoneinfo"`
	Photos             map[string]string `json:"photos"`
	Profile            string            `json:"profile"`
	Picture            string            `json:"picture"`
	Address            map[string]string `json:"address"`
	IsIntegrationUser  bool              `json:"is_salesforce_integration_user"`
	URLs               map[string]string `json:"urls"`
	Active             bool              `json:"active"`
	UserType           string            `json:"user_type"`
	Language           string            `json:"language"`
	Locale             string            `json:"locale"`
	UTCOffset          int               `json:"utcOffset"`
	UpdatedAt          string            `json:"updated_at"`
	IsAppInstalled     bool              `json:"is_app_installed"`
	PhoneNumber        string            `json:"phone_number,omitempty"`
	PhoneNumberVerfied bool              `json:"phone_number_verified"`
	UVID               string            `json:"uvid,omitempty"`
}

// userinfo serves {prefix}/services/oauth2/userinfo (protocol.md §9, TV9).
// A bad, expired or revoked token gets 403 text/plain Bad_OAuth_Token
// (errors.md U1); no token at all gets Missing_OAuth_Token [UNCONFIRMED].
func (s *Site) userinfo(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		writeText(w, http.StatusMethodNotAllowed, "Method Not Allowed")
		return
	}
	t, ok := s.bearerToken(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, s.userInfo(r, t))
}

// bearerToken finds the live access token of r (Bearer header or
// oauth_token parameter). It has answered 403 when ok is false.
func (s *Site) bearerToken(w http.ResponseWriter, r *http.Request) (tokenView, bool) {
	v := bearer(r)
	if v == "" {
		_ = r.ParseForm()
		v = r.Form.Get("oauth_token")
	}
	if v == "" {
		writeText(w, http.StatusForbidden, "Missing_OAuth_Token")
		return tokenView{}, false
	}
	t, ok := s.liveToken(v)
	if !ok {
		writeText(w, http.StatusForbidden, "Bad_OAuth_Token")
	}
	return t, ok
}

// liveToken returns the facts of access token v when it is live: known,
// not a refresh token, not expired, revoked or rotated.
func (s *Site) liveToken(v string) (tokenView, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.st.tokens[v]
	if t == nil || t.refresh || !t.live(s.now()) {
		return tokenView{}, false
	}
	return t.view(), true
}

// tokenView is a copy of a token's facts, safe to use without s.mu.
type tokenView struct {
	user             *User
	userID, clientID string
	scope, uvid      string
	refresh, jwt     bool
	issued, expires  time.Time
}

func (t *token) view() tokenView {
	v := tokenView{userID: GuestUserID, clientID: t.clientID, scope: t.scope, uvid: t.uvid,
		refresh: t.refresh, jwt: t.jwt, issued: t.issued, expires: t.expires}
	if t.user != nil {
		u := t.user.User
		v.user, v.userID = &u, t.user.ID
	}
	return v
}

func (s *Site) userInfo(r *http.Request, t tokenView) userInfo {
	site, inst := s.siteURL(r), s.instanceURL(r)
	u := User{Username: "guest", FirstName: "Site Guest", LastName: "User"}
	userType := "GUEST"
	if t.user != nil {
		u, userType = *t.user, "CSP_LITE_PORTAL"
	}
	photo := site + "/profilephoto/005/F"
	return userInfo{
		Sub: site + "/id/" + OrgID + "/" + t.userID, UserID: t.userID, OrganizationID: OrgID,
		PreferredUsername: u.Username, Nickname: nickname(&member{User: u}), Name: fullName(&member{User: u}),
		Email: u.Email, EmailVerified: u.Email != "", GivenName: u.FirstName, FamilyName: u.LastName,
		Zoneinfo: "Europe/Paris", Photos: map[string]string{"picture": photo, "thumbnail": photo[:len(photo)-1] + "T"},
		Profile: site + "/" + t.userID, Picture: photo, Address: map[string]string{"country": "FR"},
		URLs: identityURLs(inst, t.userID), Active: true, UserType: userType, Language: "en_US",
		Locale: "en_US", UTCOffset: 3600000, UpdatedAt: "2026-01-01T00:00:00Z",
		IsAppInstalled: true, PhoneNumber: u.Phone, UVID: t.uvid,
	}
}

func identityURLs(inst, userID string) map[string]string {
	return map[string]string{
		"enterprise":    inst + "/services/Soap/c/{version}/" + OrgID[:15],
		"metadata":      inst + "/services/Soap/m/{version}/" + OrgID[:15],
		"partner":       inst + "/services/Soap/u/{version}/" + OrgID[:15],
		"rest":          inst + "/services/data/v{version}/",
		"sobjects":      inst + "/services/data/v{version}/sobjects/",
		"search":        inst + "/services/data/v{version}/search/",
		"query":         inst + "/services/data/v{version}/query/",
		"profile":       inst + "/" + userID,
		"custom_domain": inst,
	}
}

func nickname(u *member) string {
	name, _, _ := strings.Cut(u.Username, "@")
	return name
}

func fullName(u *member) string {
	return strings.TrimSpace(u.FirstName + " " + u.LastName)
}
