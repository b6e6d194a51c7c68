package flow

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/google/uuid"
)

// GuestWire holds the guest flow's wire details. Salesforce documents only
// that the token step needs the Uvid-Hint and Auth-Request-Type "guest"
// headers [DOC S46]; the header value formats ("UVID <uuid>" at authorize,
// the bare UUID at the token step), lowercase "guest" and the uvid_hint body
// parameter come from third-party code only [3P S26, S28] (protocol.md §7,
// Q4, Q5). Every field is therefore overridable (sfecho reads SFECHO_UVID_*
// and SFECHO_GUEST_REQUEST_TYPE; see the README, "Wire details Salesforce does not document"). Start from
// [DefaultGuestWire]: empty names fall back to the defaults, but the
// prefixes are used as they are, since "" is a meaningful prefix.
type GuestWire struct {
	// RequestType is the Auth-Request-Type value of a guest login
	// (default [RequestGuest], "guest").
	RequestType string
	// Header is the hint header's name (default "Uvid-Hint").
	Header string
	// AuthorizePrefix precedes the UVID at authorize (default "UVID ").
	AuthorizePrefix string
	// TokenPrefix precedes the UVID at the token step (default "": the
	// bare UVID).
	TokenPrefix string
	// BodyParam is the form parameter used when InBody (default
	// "uvid_hint").
	BodyParam string
	// HintInHeader puts a named login's (or a registration's) plain UVID in
	// the hint header instead of the body parameter. The default, the body,
	// is what the only code that does it sends: "Plain UVID body parameter.
	// Mutually exclusive with uvidHintToken" (protocol.md §7, Question 5).
	// A guest login always uses the header.
	HintInHeader bool
}

// DefaultGuestWire returns the guest wire details most sources agree on.
func DefaultGuestWire() GuestWire {
	return GuestWire{RequestType: RequestGuest, Header: "Uvid-Hint", AuthorizePrefix: "UVID ", BodyParam: "uvid_hint"}
}

// NewUVID returns a fresh unique visitor ID: a random (version 4) UUID.
func NewUVID() string { return uuid.NewString() }

// ParseUVID validates a unique visitor ID: Salesforce expects a version 4
// UUID, and answers every malformed one with the same invalid_request /
// "uvid invalid" (errors.md A17), so sfecho checks it first. It returns the
// canonical lower-case form.
func ParseUVID(s string) (string, error) {
	u, err := uuid.Parse(strings.TrimSpace(s))
	if err != nil || u.Version() != 4 || u.Variant() != uuid.RFC4122 || len(strings.TrimSpace(s)) != 36 {
		return "", &Error{Kind: KindUsage,
			Description: "--uvid must be a version 4 UUID such as 3f2504e0-4f89-41d3-9a0c-0305e82c3301",
			Advice:      "pass the UVID sfecho guest printed (Guest UVID: ...), or a fresh one from uuidgen"}
	}
	return u.String(), nil
}

// Guest returns the authorize request of a guest login and the headers
// its token step needs (Auth-Request-Type and the bare UVID, protocol.md
// §7), to pass to [Client.Login].
func (w GuestWire) Guest(uvid string) (Authorization, http.Header) {
	w = w.withDefaults()
	a := Authorization{RequestType: w.RequestType, Header: http.Header{}}
	a.Header.Set(w.Header, w.AuthorizePrefix+uvid)
	h := http.Header{}
	h.Set("Auth-Request-Type", w.RequestType)
	h.Set(w.Header, w.TokenPrefix+uvid)
	return a, h
}

// Link makes a named-user (or OTP) authorization carry a guest context, so
// the new session inherits the visitor's UVID (protocol.md §7, [DOC S16]):
// the plain UUID, unprefixed — the "UVID " prefix belongs to the guest
// authorize alone — in the uvid_hint body parameter (or, with
// HintInHeader, the hint header). Never both.
func (w GuestWire) Link(a *Authorization, uvid string) {
	w = w.withDefaults()
	if w.HintInHeader {
		if a.Header == nil {
			a.Header = http.Header{}
		}
		a.Header.Set(w.Header, uvid)
		return
	}
	if a.Form == nil {
		a.Form = url.Values{}
	}
	a.Form.Set(w.BodyParam, uvid)
}

// LinkToken carries a guest context as the guest's JWT access token in the
// hint header, and nowhere else (protocol.md §7, Question 5).
func (w GuestWire) LinkToken(a *Authorization, guestJWT string) {
	w = w.withDefaults()
	if a.Header == nil {
		a.Header = http.Header{}
	}
	a.Header.Set(w.Header, guestJWT)
}

func (w GuestWire) withDefaults() GuestWire {
	d := DefaultGuestWire()
	if w.RequestType == "" {
		w.RequestType = d.RequestType
	}
	if w.Header == "" {
		w.Header = d.Header
	}
	if w.BodyParam == "" {
		w.BodyParam = d.BodyParam
	}
	return w
}
