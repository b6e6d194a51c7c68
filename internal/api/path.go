package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/sfecho/sfecho/internal/flow"
)

// QueryPath is the bare path of a SOQL query: "query?q=…", escaped.
func QueryPath(soql string) string {
	return "query?" + url.Values{"q": {soql}}.Encode()
}

var versionShape = regexp.MustCompile(`^v?([0-9]{1,3})(?:\.([0-9]))?$`)

// ParseVersion accepts an API version as "62.0", "v62.0" or "62" and
// returns it as "62.0".
func ParseVersion(s string) (string, error) {
	m := versionShape.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return "", flow.UsageError("--api-version %q is not a version such as 62.0", s)
	}
	if m[2] == "" {
		m[2] = "0"
	}
	return m[1] + "." + m[2], nil
}

// resolve returns the URL of req and the base (community or instance URL)
// it lies under, asking the site for its API version if need be.
func (c *Client) resolve(ctx context.Context, req *Request) (u, base *url.URL, err error) {
	u, base, bare, err := c.target(req)
	if err == nil && u == nil {
		u, err = c.versioned(ctx, base, bare)
	}
	return u, base, err
}

// target checks req's path without a request. It returns the URL and its
// base, or for a bare path a nil URL and the path still to be put under
// /services/data/vNN.N/. A full URL must be on one of the two hosts.
func (c *Client) target(req *Request) (u, base *url.URL, bare string, err error) {
	p := strings.TrimSpace(req.Path)
	base = c.Community
	if req.Instance {
		if base = c.Instance; base == nil {
			return nil, nil, "", flow.UsageError("--instance: the saved session has no instance_url")
		}
	}
	switch {
	case p == "":
		return nil, nil, "", flow.UsageError("no API path given")
	case hasScheme(p):
		u, err = url.Parse(escape(p))
		if err != nil || u.Host == "" {
			return nil, nil, "", flow.UsageError("%q is not a URL", flow.OneLine(p))
		}
		if base = c.owner(u); base == nil || u.User != nil {
			return nil, nil, "", &flow.Error{Op: "api", Kind: flow.KindUsage,
				Description: "refusing " + flow.OneLine(u.Redacted()) + ": the access token is sent only to " + c.hosts(),
				Advice:      "give a path such as /services/data/v62.0/ or sobjects/Account, or a URL on " + c.hosts()}
		}
		return u, base, "", nil
	case !strings.HasPrefix(p, "/"):
		return nil, base, p, nil
	}
	u, err = join(base, p)
	return u, base, "", err
}

// versioned puts a bare path under /services/data/vNN.N/.
func (c *Client) versioned(ctx context.Context, base *url.URL, bare string) (*url.URL, error) {
	v, err := c.version(ctx, base)
	if err != nil {
		return nil, err
	}
	return join(base, "/services/data/v"+v+"/"+bare)
}

// hasScheme reports whether p is a full http(s) URL.
func hasScheme(p string) bool {
	l := strings.ToLower(p)
	return strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "http://")
}

// owner returns the base URL whose origin u has, nil when neither.
func (c *Client) owner(u *url.URL) *url.URL {
	for _, b := range []*url.URL{c.Community, c.Instance} {
		if b != nil && sameOrigin(u, b) {
			return b
		}
	}
	return nil
}

// hosts names the hosts the token may go to, for messages.
func (c *Client) hosts() string {
	h := c.Community.Host
	if c.Instance != nil && !sameOrigin(c.Instance, c.Community) {
		h += " and " + c.Instance.Host
	}
	return h
}

// sameOrigin reports whether a and b share scheme, host and port (a
// missing port being the scheme's default).
func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Hostname(), b.Hostname()) &&
		port(a) == port(b)
}

func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if strings.EqualFold(u.Scheme, "http") {
		return "80"
	}
	return "443"
}

// join puts path p (with its query) under base. A path that already
// starts with base's site prefix — as a URL sent by the site may — is not
// prefixed again.
func join(base *url.URL, p string) (*url.URL, error) {
	prefix := strings.TrimRight(base.EscapedPath(), "/")
	if prefix != "" && (p == prefix || strings.HasPrefix(p, prefix+"/")) {
		prefix = ""
	}
	u, err := url.Parse(base.Scheme + "://" + base.Host + prefix + escape(p))
	if err != nil {
		return nil, flow.UsageError("%q is not a valid API path", flow.OneLine(p))
	}
	if !sameOrigin(u, base) { // cannot happen; the last guard before the token is sent
		return nil, flow.UsageError("%q leaves %s", flow.OneLine(p), base.Host)
	}
	return u, nil
}

// escape percent-encodes what may not appear raw in a URL (spaces, quotes,
// control and non-ASCII bytes), so that "query?q=SELECT Id FROM Account"
// can be typed as is. Existing escapes are kept.
func escape(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("\"<>\\^`{|}", c) >= 0 {
			b.WriteString("%" + strings.ToUpper(strconv.FormatInt(int64(c)|0x100, 16)[1:]))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// version returns the API version of bare paths: Client.Version, or the
// newest one the site lists at base/services/data/ (asked without the
// token: the list needs no session), then remembered.
func (c *Client) version(ctx context.Context, base *url.URL) (string, error) {
	if c.Version != "" {
		return c.Version, nil
	}
	u, err := join(base, "/services/data/")
	if err != nil {
		return "", err
	}
	req := &Request{Method: http.MethodGet}
	resp, err := c.roundTrip(ctx, req, u, "")
	if err == nil {
		err = statusError(http.MethodGet, u, resp)
	}
	if err != nil {
		var fe *flow.Error
		if errors.As(err, &fe) && fe.Advice == "" {
			fe.Description = "asking the site for its API versions: " + fe.Description
			fe.Advice = "name the version with --api-version (e.g. 62.0), or give a path starting with /services/"
		}
		return "", err
	}
	v := newest(resp.Body)
	if v == "" {
		return "", &flow.Error{Op: "api", Kind: flow.KindUnexpected,
			Description: "GET " + displayPath(u) + " listed no API version",
			Advice:      "name the version with --api-version (e.g. 62.0)"}
	}
	c.Version = v
	if c.Remember != nil {
		c.Remember(ctx, v)
	}
	return v, nil
}

// newest returns the highest version of a /services/data/ answer, "" when
// it lists none.
func newest(body []byte) string {
	var list []struct {
		Version string `json:"version"`
	}
	if json.Unmarshal(body, &list) != nil {
		return ""
	}
	best, bestMajor, bestMinor := "", -1, -1
	for _, e := range list {
		m := versionShape.FindStringSubmatch(e.Version)
		if m == nil || m[2] == "" {
			continue
		}
		major, _ := strconv.Atoi(m[1])
		minor, _ := strconv.Atoi(m[2])
		if major > bestMajor || major == bestMajor && minor > bestMinor {
			best, bestMajor, bestMinor = m[1]+"."+m[2], major, minor
		}
	}
	return best
}

// displayPath is u's path for messages: no query (it may be long, and is
// the caller's own), no control characters.
func displayPath(u *url.URL) string { return flow.OneLine(u.EscapedPath()) }
