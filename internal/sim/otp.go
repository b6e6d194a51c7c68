package sim

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The headless flows that send an OTP.
const (
	flowPasswordless = "passwordless"
	flowRegistration = "registration"
	flowForgot       = "forgot_password"
)

// otp is an init request's one-time password and what it unlocks.
type otp struct {
	identifier string
	code       string
	flow       string
	method     string        // email or sms
	user       *member       // passwordless: the user; nil when none was found
	reg        *registration // registration: the queued user
	expires    time.Time
	attempts   int
	used       bool
}

// registration is a user queued by registration init, created at authorize
// (protocol.md §5).
type registration struct {
	user       User
	customdata string
}

// outboxMu serializes Outbox writes across sites sharing a writer.
var outboxMu sync.Mutex

// deliver "sends" o's code to its recipient: one line on the Outbox, one on
// the log, and the LastOTP index under every key given. Caller holds s.mu.
func (s *Site) deliver(o *otp, to string, keys ...string) {
	line := fmt.Sprintf("%s otp=%s flow=%s method=%s to=%s",
		s.now().UTC().Format(time.RFC3339), o.code, o.flow, o.method, quote(to))
	if o.identifier != "" {
		line += " identifier=" + o.identifier
	}
	if len(keys) > 0 {
		line += " username=" + quote(keys[0])
	}
	s.cfg.Logf("sim: deliver %s", line)
	s.count.otpsSent.Add(1)
	if s.cfg.Outbox != nil {
		outboxMu.Lock()
		_, _ = fmt.Fprintln(s.cfg.Outbox, line)
		outboxMu.Unlock()
	}
	if o.identifier != "" {
		s.st.lastOTP[o.identifier] = o.code
	}
	for _, k := range keys {
		if k != "" {
			s.st.lastOTP[strings.ToLower(k)] = o.code
		}
	}
	if to != "" {
		s.st.lastOTP[strings.ToLower(to)] = o.code
	}
}

func quote(v string) string {
	if v == "" || strings.ContainsAny(v, " \t\"=") {
		return strconv.Quote(v)
	}
	return v
}

// LastOTP returns the last OTP sent for key: an init identifier, a
// username, or the email address or phone number it went to.
func (s *Site) LastOTP(key string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.st.lastOTP[key]; ok {
		return v, true
	}
	v, ok := s.st.lastOTP[strings.ToLower(key)]
	return v, ok
}

// newOTPFor stores a fresh OTP for an init request. Caller holds s.mu.
func (s *Site) newOTPFor(flow, method string) *otp {
	now := s.now()
	for id, o := range s.st.otps {
		if !now.Before(o.expires) {
			delete(s.st.otps, id)
		}
	}
	o := &otp{identifier: newIdentifier(), code: s.newOTP(), flow: flow, method: method, expires: now.Add(s.cfg.OTPTTL)}
	s.st.otps[o.identifier] = o
	return o
}

// checkOTP tries code against o, counting attempts. It returns "" on
// success, else an error_description; o is spent after MaxOTPAttempts
// wrong codes. Caller holds s.mu.
func (s *Site) checkOTP(o *otp, code string) string {
	switch {
	case o == nil || o.used || !s.now().Before(o.expires):
		return "invalid or expired identifier"
	case o.attempts >= s.cfg.MaxOTPAttempts:
		return "too many attempts"
	case code == "" || code != o.code:
		o.attempts++
		if o.attempts >= s.cfg.MaxOTPAttempts {
			o.used = true
		}
		return "invalid one-time password"
	}
	return ""
}

// newOTP returns Config.FixedOTP when set (scripted tests and README
// examples), else a random 6-digit code.
func (s *Site) newOTP() string {
	if s.cfg.FixedOTP != "" {
		return s.cfg.FixedOTP
	}
	return newOTP()
}
