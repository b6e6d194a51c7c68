package flow

import (
	"errors"
	"strings"

	"github.com/sfecho/sfecho/internal/safetext"
)

// ErrBadLocation means a redirect's Location header is not a URL that
// net/http can parse (a backslash before @, a raw control character): a
// URL parser confusion attempt at worst, and never a redirect to follow.
var ErrBadLocation = errors.New("malformed Location header")

const adviceBadLocation = "a Location that URL parsers may read differently is refused: check --site; if this is really the site, run with -v and report it"

// colonInUser refuses a username that Basic credentials cannot carry: the
// site splits user:password at the first colon, so alice:admin with
// password pw would log in as alice with password admin:pw.
func colonInUser() error {
	return &Error{Op: OpAuthorize, Kind: KindUsage,
		Description: "the username holds a colon, which a Basic Authorization header cannot carry (the site splits it there)",
		Advice:      `send the credentials in the POST body instead: --credentials-in-body (the app's "Require user credentials in the POST body")`}
}

// netText is the text of an error from the network or Go's HTTP library,
// fit to print: the value of every secret parameter in a URL it quotes is
// masked (net/http quotes a Location it cannot parse, or a malformed
// header line, whole), and control characters are escaped (a
// certificate's names can carry terminal escapes, and any network peer
// can present one).
func netText(err error) string {
	return oneLine(safetext.MaskParams(err.Error(), SecretParam))
}

// badLocation reports whether err is net/http refusing a redirect's
// Location: one it cannot parse ("failed to parse Location header"), or a
// Location line with a raw control character, which breaks the
// connection ("malformed MIME header line"). net/http has no error type
// for either; its text is the only mark.
func badLocation(err error) bool {
	msg := strings.ToLower(err.Error())
	return strings.Contains(msg, "failed to parse location header") ||
		strings.Contains(msg, `malformed mime header line: "location:`)
}
