package cli

import (
	"github.com/spf13/pflag"

	"github.com/sfecho/sfecho/internal/flow"
)

// guestLink is the guest context a named login or a registration carries
// (protocol.md §7, Question 5): the guest's UVID (--uvid), sent as the plain
// UUID in the uvid_hint body parameter, or the guest's JWT access token
// (--uvid-token-file, SFECHO_UVID_TOKEN), sent in the Uvid-Hint header
// only. The token is a secret, so it is never a flag value.
type guestLink struct {
	UVID      string
	TokenFile string

	uvid, token string // validated --uvid; the JWT
}

func (g *guestLink) addFlags(fs *pflag.FlagSet, what string) {
	fs.StringVar(&g.UVID, "uvid", "", "carry a guest's unique visitor ID (from sfecho guest) into "+what)
	fs.StringVar(&g.TokenFile, "uvid-token-file", "", "carry a guest's context as its JWT access token, read from this file (or SFECHO_UVID_TOKEN)")
}

// set reports whether a guest context was given.
func (g *guestLink) set() bool { return g.UVID != "" || g.TokenFile != "" }

// resolve validates --uvid and reads the guest token, before anything is
// sent.
func (g *guestLink) resolve(env *Env) error {
	token, err := fileOrEnvSecret(env, "--uvid-token-file", g.TokenFile, "SFECHO_UVID_TOKEN")
	if err != nil {
		return err
	}
	if token != "" && g.UVID != "" {
		return usagef("give the guest context once: --uvid, or the guest's token (--uvid-token-file, SFECHO_UVID_TOKEN), not both")
	}
	if g.UVID != "" {
		id, err := flow.ParseUVID(g.UVID)
		if err != nil {
			return err
		}
		g.uvid = id
	}
	g.token = token
	return nil
}

// link adds the guest context to a.
func (g *guestLink) link(env *Env, a *flow.Authorization) error {
	if g.uvid == "" && g.token == "" {
		return nil
	}
	w, err := guestWire(env)
	if err != nil {
		return err
	}
	if g.token != "" {
		w.LinkToken(a, g.token)
	} else {
		w.Link(a, g.uvid)
	}
	return nil
}
