package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/sfecho/sfecho/internal/flow"
)

// Records reads a query answer: its records and nextRecordsUrl. ok is
// false when body is not a query answer (it has no "records" array).
func Records(body []byte) (records []json.RawMessage, next string, ok bool) {
	var q struct {
		Records        []json.RawMessage `json:"records"`
		NextRecordsURL string            `json:"nextRecordsUrl"`
		Done           *bool             `json:"done"`
	}
	if json.Unmarshal(body, &q) != nil || q.Records == nil {
		return nil, "", false
	}
	if q.Done != nil && *q.Done {
		q.NextRecordsURL = ""
	}
	return q.Records, q.NextRecordsURL, true
}

// MaxPages bounds --paginate: a site that always answers with another
// nextRecordsUrl is not followed forever. At Salesforce's largest batch
// (2,000 records) it is 20 million records.
const MaxPages = 10000

// Paginate makes the call like [Client.Do] and, while the answer is a query
// answer with a nextRecordsUrl, GETs that URL, handing every 2xx answer to
// page in order. It returns the last answer: on failure the one that
// failed, with the error. A nextRecordsUrl must be a path, or a URL on the
// community or instance host; another host is refused (exit 7), and so is
// a URL the site already sent, which would loop.
func (c *Client) Paginate(ctx context.Context, req *Request, page func(*Response) error) (*Response, error) {
	resp, base, err := c.first(ctx, req)
	seen := map[string]bool{}
	next := &Request{Method: http.MethodGet, Header: req.Header.Clone(), Instance: req.Instance}
	next.Header.Del("Content-Type")
	for pages := 1; ; pages++ {
		if err != nil {
			return resp, err
		}
		if err := page(resp); err != nil {
			return nil, err
		}
		_, nextURL, ok := Records(resp.Body)
		if !ok || nextURL == "" {
			return resp, nil
		}
		if seen[nextURL] {
			return nil, &flow.Error{Op: "api", Kind: flow.KindUnexpected,
				Description: "the site sent the same nextRecordsUrl twice; stopping"}
		}
		seen[nextURL] = true
		if pages >= MaxPages {
			return nil, &flow.Error{Op: "api", Kind: flow.KindUnexpected,
				Description: fmt.Sprintf("the site sent more than %d pages; stopping", MaxPages),
				Advice:      "narrow the query (WHERE, LIMIT), or page by hand without --paginate"}
		}
		var u *url.URL
		if u, err = c.siteURL(base, nextURL); err != nil {
			return nil, err
		}
		resp, err = c.send(ctx, next, u) // checked at the top of the loop
	}
}

// siteURL resolves a URL the site sent: a path under base, or a full URL
// on the community or instance host.
func (c *Client) siteURL(base *url.URL, raw string) (*url.URL, error) {
	if !hasScheme(raw) {
		if !strings.HasPrefix(raw, "/") {
			return nil, &flow.Error{Op: "api", Kind: flow.KindUnexpected,
				Description: "the site sent a nextRecordsUrl that is not a path: " + flow.OneLine(raw)}
		}
		return join(base, raw)
	}
	u, err := url.Parse(raw)
	if err != nil || u.User != nil || c.owner(u) == nil {
		return nil, &flow.Error{Op: "api", Kind: flow.KindSecurity,
			Description: "the site sent a nextRecordsUrl outside " + c.hosts() + "; not following it with the access token"}
	}
	return u, nil
}
