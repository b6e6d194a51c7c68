package sim

import (
	"fmt"
	"strings"
	"time"
)

// state is everything the site remembers. Every access holds Site.mu.
type state struct {
	users   map[string]*member // by lower-case username
	nextID  int
	codes   map[string]*grant
	tokens  map[string]*token // access and refresh tokens by value
	otps    map[string]*otp   // by identifier
	lastOTP map[string]string // by identifier and lower-case username/email/phone
	resets  map[string]*otp   // forgot-password OTPs by lower-case username
	regs    map[string]*registration
	family  int

	accounts    []account          // the REST API's data set
	lastAccount int                // the number in the newest account's ID
	cursors     map[string]*cursor // open query results by locator
}

func newState() state {
	st := state{
		users: map[string]*member{}, codes: map[string]*grant{}, tokens: map[string]*token{},
		otps: map[string]*otp{}, lastOTP: map[string]string{}, resets: map[string]*otp{},
		regs: map[string]*registration{}, accounts: sampleAccounts(), cursors: map[string]*cursor{},
	}
	st.lastAccount = len(st.accounts)
	return st
}

// member is a user with its Salesforce record ID.
type member struct {
	User
	ID      string // 18-character User ID, 005...
	Created time.Time
}

func (st *state) addUser(u User, _ int) *member {
	st.nextID++
	m := &member{User: u, ID: fmt.Sprintf("0055g00000%05dAAA", st.nextID)}
	st.users[strings.ToLower(u.Username)] = m
	return m
}

// user finds a member by username, case-insensitively.
func (st *state) user(username string) *member {
	return st.users[strings.ToLower(strings.TrimSpace(username))]
}

// discover finds the one member whose username, email or phone is hint, as a
// discovery handler would; more than one match is a failure (§8).
func (st *state) discover(hint string) *member {
	if m := st.user(hint); m != nil {
		return m
	}
	var found *member
	for _, m := range st.users {
		if strings.EqualFold(m.Email, hint) || (m.Phone != "" && normPhone(m.Phone) == normPhone(hint)) {
			if found != nil {
				return nil
			}
			found = m
		}
	}
	return found
}

func normPhone(p string) string {
	var b strings.Builder
	for _, c := range p {
		if c == '+' || ('0' <= c && c <= '9') {
			b.WriteRune(c)
		}
	}
	return b.String()
}

// grant is what an authorization code stands for.
type grant struct {
	clientID, redirectURI, challenge, scope string
	user                                    *member // nil for a guest
	uvid                                    string  // linked or guest UVID
	expires                                 time.Time
}

// token is an access or a refresh token.
type token struct {
	value    string
	refresh  bool
	fam      *family
	user     *member // nil for a guest
	clientID string
	scope    string
	uvid     string
	jwt      bool
	issued   time.Time
	expires  time.Time // zero: never
	revoked  bool
	rotated  bool // a refresh token replaced by a newer one
}

// family is every token descending from one authorization code. Revoking a
// refresh token, or reusing a rotated one, revokes the family.
type family struct {
	id     int
	tokens []*token
}

func (st *state) newFamily() *family {
	st.family++
	return &family{id: st.family}
}

func (st *state) add(t *token) {
	st.tokens[t.value] = t
	t.fam.tokens = append(t.fam.tokens, t)
}

func (f *family) revoke() {
	for _, t := range f.tokens {
		t.revoked = true
	}
}

// live reports whether t is usable at now.
func (t *token) live(now time.Time) bool {
	if t.revoked || t.rotated {
		return false
	}
	if t.user != nil && t.user.Inactive {
		return false
	}
	return t.expires.IsZero() || now.Before(t.expires)
}
