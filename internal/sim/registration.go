package sim

import (
	"encoding/json"
	"net/http"
)

// initRegistration serves POST {prefix}/services/auth/headless/init/
// registration (protocol.md §5A, TV4): it checks the data, queues the
// user and sends an OTP; the user is created at authorize. An existing
// username is refused here with DUPLICATE_USERNAME (errors.md I4 leaves
// open where Salesforce refuses it; authorize checks again).
func (s *Site) initRegistration(w http.ResponseWriter, r *http.Request) {
	f := s.cfg.Registration
	b := s.readInit(w, r, f, "headless registration", "user_registration_api")
	if b == nil || !checkRecaptcha(w, f, b) || !checkMethod(w, b.method()) || !s.checkTemplate(w, b) {
		return
	}
	u, desc := newRegistrant(b)
	if desc != "" {
		fail(w, "invalid_request", desc)
		return
	}
	if !strongPassword(u.Password) {
		fail(w, "registration_error", weakPassword)
		return
	}
	to := recipient(u, b.method())
	if to == "" {
		fail(w, "invalid_request", "a mobilePhone is required for sms verification")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.user(u.Username) != nil {
		fail(w, "registration_error", duplicateUsername)
		return
	}
	o := s.newOTPFor(flowRegistration, b.method())
	o.reg = &registration{user: u, customdata: string(b.CustomData)}
	s.deliver(o, to, u.Username)
	writeJSON(w, http.StatusOK, map[string]string{"status": "success", "email": u.Email, "identifier": o.identifier})
}

// newRegistrant builds the queued user from the init body, or returns an
// error_description. The password is the top-level field only. The username defaults to the email; the phone comes
// from userdata or customdata mobilePhone.
func newRegistrant(b *initBody) (User, string) {
	d := b.UserData
	if d == nil {
		return User{}, "missing userdata"
	}
	u := User{Username: d.Username, Email: d.Email, FirstName: d.FirstName, LastName: d.LastName,
		Phone: d.MobilePhone, Password: b.Password}
	// A password inside userdata is ignored, as the server does: the SDKs
	// that put it there were fixed (protocol.md §5).
	if u.Username == "" {
		u.Username = u.Email
	}
	if u.Phone == "" {
		var c struct {
			MobilePhone string `json:"mobilePhone"`
		}
		_ = json.Unmarshal(b.CustomData, &c)
		u.Phone = c.MobilePhone
	}
	switch {
	case u.Email == "":
		return User{}, "missing userdata.email"
	case u.LastName == "":
		return User{}, "missing userdata.lastName"
	case u.Password == "":
		return User{}, "missing password"
	}
	return u, ""
}
