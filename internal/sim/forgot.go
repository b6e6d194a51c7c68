package sim

import (
	"net/http"
	"strings"
)

// forgotPassword serves POST {prefix}/services/auth/headless/forgot_password
// (protocol.md §6, TV7). A body with otp or newpassword is the change step;
// otherwise it is the init step, which answers otp_sent whether or not the
// user exists. The change step allows MaxOTPAttempts wrong OTPs, and
// answers a wrong OTP and an unknown user alike.
func (s *Site) forgotPassword(w http.ResponseWriter, r *http.Request) {
	f := s.cfg.ForgotPassword
	b := s.readInit(w, r, f, "headless forgot password", "forgot_password")
	if b == nil {
		return
	}
	if b.Username == "" {
		fail(w, "invalid_request", "missing username")
		return
	}
	if b.OTP != "" || b.NewPassword != "" {
		s.changePassword(w, b)
		return
	}
	if !checkRecaptcha(w, f, b) {
		return
	}
	s.mu.Lock()
	m := s.st.user(b.Username)
	if m == nil && s.cfg.Discovery {
		m = s.st.discover(b.Username)
	}
	if m != nil && !m.Inactive && m.Email != "" {
		o := s.newOTPFor(flowForgot, "email")
		delete(s.st.otps, o.identifier) // reset OTPs are found by username
		o.identifier, o.user = "", m
		s.st.resets[strings.ToLower(b.Username)] = o
		s.deliver(o, m.Email, m.Username, b.Username)
	} else {
		s.logf("forgot password: no such active user: no OTP sent")
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{"status_code": "otp_sent"})
}

func (s *Site) changePassword(w http.ResponseWriter, b *initBody) {
	if b.OTP == "" || b.NewPassword == "" {
		fail(w, "invalid_request", "otp and newpassword are both required")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key := strings.ToLower(b.Username)
	o := s.st.resets[key]
	if desc := s.checkOTP(o, b.OTP); desc != "" {
		if o != nil && o.used {
			delete(s.st.resets, key)
		}
		// One answer for a wrong OTP, a spent one and an unknown user.
		fail(w, "invalid_grant", "invalid or expired one-time password")
		return
	}
	if !strongPassword(b.NewPassword) {
		fail(w, "invalid_request", weakPassword) // the OTP stays usable
		return
	}
	o.user.Password = b.NewPassword
	delete(s.st.resets, key)
	s.logf("forgot password: password of %s changed", o.user.Username)
	writeJSON(w, http.StatusOK, map[string]string{"status_code": "success"})
}
