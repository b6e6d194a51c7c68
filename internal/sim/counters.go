package sim

import "sync/atomic"

// counters count what a client's requests made the site do to people: the
// one-time passwords it sent, the users it created and the wrong passwords
// given for existing members (what lockout policies count). A diagnostic
// that promises to be harmless (sfecho doctor) is tested against them.
type counters struct {
	otpsSent, usersCreated, failedLogins atomic.Int64
}

// OTPsSent returns how many one-time passwords the site has sent (by email
// or SMS, to the Outbox and the log), for any flow.
func (s *Site) OTPsSent() int { return int(s.count.otpsSent.Load()) }

// UsersCreated returns how many users headless registration has created.
func (s *Site) UsersCreated() int { return int(s.count.usersCreated.Load()) }

// FailedLogins returns how many times a wrong password was given for an
// existing member: the attempts a lockout policy counts. Failures for
// usernames that are not members do not count.
func (s *Site) FailedLogins() int { return int(s.count.failedLogins.Load()) }
