package httplog

import (
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// The HAR 1.2 document. Field names and required fields follow the spec;
// "_error" is a custom field (the spec allows ones starting with "_"), as
// browsers use for requests that got no answer.
type harDoc struct {
	Log harLog `json:"log"`
}

type harLog struct {
	Version string     `json:"version"`
	Creator harCreator `json:"creator"`
	Pages   []struct{} `json:"pages"`
	Entries []harEntry `json:"entries"`
	Comment string     `json:"comment,omitempty"`
}

type harCreator struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type harEntry struct {
	StartedDateTime string      `json:"startedDateTime"`
	Time            float64     `json:"time"`
	Request         harRequest  `json:"request"`
	Response        harResponse `json:"response"`
	Cache           struct{}    `json:"cache"`
	Timings         harTimings  `json:"timings"`
	ServerIPAddress string      `json:"serverIPAddress,omitempty"`
}

type harNV struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type harRequest struct {
	Method      string       `json:"method"`
	URL         string       `json:"url"`
	HTTPVersion string       `json:"httpVersion"`
	Cookies     []harNV      `json:"cookies"`
	Headers     []harNV      `json:"headers"`
	QueryString []harNV      `json:"queryString"`
	PostData    *harPostData `json:"postData,omitempty"`
	HeadersSize int          `json:"headersSize"`
	BodySize    int          `json:"bodySize"`
}

type harPostData struct {
	MimeType string  `json:"mimeType"`
	Params   []harNV `json:"params,omitempty"`
	Text     string  `json:"text"`
	Comment  string  `json:"comment,omitempty"`
}

type harResponse struct {
	Status      int        `json:"status"`
	StatusText  string     `json:"statusText"`
	HTTPVersion string     `json:"httpVersion"`
	Cookies     []harNV    `json:"cookies"`
	Headers     []harNV    `json:"headers"`
	Content     harContent `json:"content"`
	RedirectURL string     `json:"redirectURL"`
	HeadersSize int        `json:"headersSize"`
	BodySize    int        `json:"bodySize"`
	Error       string     `json:"_error,omitempty"`
}

type harContent struct {
	Size     int    `json:"size"`
	MimeType string `json:"mimeType"`
	Text     string `json:"text,omitempty"`
	Comment  string `json:"comment,omitempty"`
}

// harRequest records req, masked. Cookies are not itemized: their values
// are secrets, and the Cookie header shows them masked.
func (t *Transport) harRequest(req *http.Request) harRequest {
	masked := t.redactURL(req.URL)
	r := harRequest{Method: req.Method, URL: masked, HTTPVersion: req.Proto, Cookies: []harNV{},
		Headers: t.harHeaders(req.Header), QueryString: harQuery(masked), HeadersSize: -1}
	if req.Body == nil || req.GetBody == nil {
		return r
	}
	rc, err := req.GetBody()
	if err != nil {
		return r
	}
	body, _ := io.ReadAll(io.LimitReader(rc, maxBody))
	rc.Close()
	r.BodySize = len(body)
	if len(body) == 0 {
		return r
	}
	ct := req.Header.Get("Content-Type")
	pd := &harPostData{MimeType: ct}
	text, note := t.harBody(ct, body)
	pd.Text, pd.Comment = text, note
	if mt, _, _ := mime.ParseMediaType(ct); mt == "application/x-www-form-urlencoded" {
		pd.Params = harPairs(text)
	}
	r.PostData = pd
	return r
}

func (t *Transport) harResponse(resp *http.Response, body []byte) harResponse {
	ct := resp.Header.Get("Content-Type")
	r := harResponse{Status: resp.StatusCode, StatusText: http.StatusText(resp.StatusCode),
		HTTPVersion: resp.Proto, Cookies: []harNV{}, Headers: t.harHeaders(resp.Header),
		HeadersSize: -1, BodySize: len(body), Content: harContent{Size: len(body), MimeType: ct}}
	if _, text, ok := strings.Cut(resp.Status, " "); ok {
		r.StatusText = text
	}
	if r.Content.MimeType == "" {
		r.Content.MimeType = "x-unknown"
	}
	if loc := resp.Header.Get("Location"); loc != "" {
		r.RedirectURL = t.headerValue("Location", loc)
	}
	if len(body) > 0 {
		r.Content.Text, r.Content.Comment = t.harBody(ct, body)
	}
	return r
}

// harBody masks a body as the trace does: forms and JSON with secret values
// masked, anything else not recorded.
func (t *Transport) harBody(ctype string, body []byte) (text, note string) {
	ct, _, _ := mime.ParseMediaType(ctype)
	switch {
	case ct == "application/x-www-form-urlencoded":
		return t.redactValues(string(body)), ""
	case ct == "application/json" || strings.HasSuffix(ct, "+json"):
		var v any
		if json.Unmarshal(body, &v) != nil {
			return "", "invalid or truncated JSON, not recorded"
		}
		return t.redactJSON(body), ""
	}
	return "", "a body of " + orNone(ct) + " is not recorded (only forms and JSON are, secrets masked)"
}

func (t *Transport) harHeaders(h http.Header) []harNV {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := []harNV{}
	for _, k := range keys {
		for _, v := range h[k] {
			out = append(out, harNV{Name: k, Value: t.headerValue(k, v)})
		}
	}
	return out
}

// harQuery lists the (already masked) URL's query parameters in order.
func harQuery(masked string) []harNV {
	u, err := url.Parse(masked)
	if err != nil {
		return []harNV{}
	}
	return harPairs(u.RawQuery)
}

// harPairs splits a (masked) urlencoded string into name/value pairs,
// keeping order and repeats.
func harPairs(raw string) []harNV {
	out := []harNV{}
	if raw == "" {
		return out
	}
	for _, p := range strings.Split(raw, "&") {
		if p == "" {
			continue
		}
		k, v, _ := strings.Cut(p, "=")
		if uk, err := url.QueryUnescape(k); err == nil {
			k = uk
		}
		if uv, err := url.QueryUnescape(v); err == nil {
			v = uv
		}
		out = append(out, harNV{Name: k, Value: v})
	}
	return out
}
