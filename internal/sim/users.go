package sim

// AddUser adds (or replaces) a site member at run time.
func (s *Site) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.st.user(u.Username); m != nil {
		m.User = u
		return
	}
	s.st.addUser(u, 0)
}

// SetUser edits a member in place, e.g. to deactivate it or change its
// password, and reports whether the user exists. Tokens already issued
// stay valid unless the user becomes inactive.
func (s *Site) SetUser(username string, edit func(*User)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.st.user(username)
	if m == nil {
		return false
	}
	edit(&m.User)
	return true
}

// User returns a copy of a member, found by username case-insensitively.
func (s *Site) User(username string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.st.user(username); m != nil {
		return m.User, true
	}
	return User{}, false
}
