package sim

import "net/http"

// initPasswordless serves POST {prefix}/services/auth/headless/init/
// passwordless/login (protocol.md §4A). It answers {"identifier","status":
// "success"} even when no user matches, and then sends no OTP, so the
// endpoint does not reveal who exists; the authorize step then fails
// with invalid_grant. [UNCONFIRMED: Salesforce's behaviour for unknown users]
func (s *Site) initPasswordless(w http.ResponseWriter, r *http.Request) {
	f := s.cfg.Passwordless
	b := s.readInit(w, r, f, "headless passwordless login", "pwdless_login_api")
	if b == nil || !checkRecaptcha(w, f, b) || !checkMethod(w, b.method()) || !s.checkTemplate(w, b) {
		return
	}
	if b.Username == "" && b.LoginHint == "" {
		fail(w, "invalid_request", "missing username")
		return
	}
	s.mu.Lock()
	m := s.st.user(b.Username)
	if b.Username == "" {
		m = s.st.user(b.LoginHint)
		if s.cfg.Discovery {
			m = s.st.discover(b.LoginHint)
		}
	}
	o := s.newOTPFor(flowPasswordless, b.method())
	to := ""
	if m != nil && !m.Inactive {
		to = recipient(m.User, o.method)
	}
	if to != "" {
		o.user = m
		s.deliver(o, to, m.Username, b.LoginHint)
	} else {
		s.logf("passwordless: no active user with a %s address for that username: no OTP sent", o.method)
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{"identifier": o.identifier, "status": "success"})
}
