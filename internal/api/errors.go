package api

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/sfecho/sfecho/internal/flow"
)

// Advice for the REST errors errors.md lists.
const (
	adviceSession   = "session expired or used on the wrong host: run sfecho refresh, or sfecho login if that fails"                // U2
	adviceSiteToken = "site token sent to the org host: call the site URL (sfdc_community_url), not --instance"                     // U3
	adviceAPIUser   = `the user lacks "API Enabled": grant it with a permission set (License: --None--)`                            // U6
	adviceTLS       = "TLS verification failed (proxy with its own CA?): pass that CA with --ca-file; --insecure is for tests only" // N4
)

// maxEntries bounds the error entries named on the error line; the full
// array is in the body.
const maxEntries = 20

// apiError is one entry of Salesforce's REST error array,
// [{"message":…,"errorCode":…,"fields":[…]}]. The OAuth shape
// {"error","error_description"} is read into the same fields.
type apiError struct {
	Message     string   `json:"message"`
	ErrorCode   string   `json:"errorCode"`
	Fields      []string `json:"fields"`
	Error       string   `json:"error"`
	Description string   `json:"error_description"`
}

func (e apiError) code() string {
	if e.ErrorCode != "" {
		return e.ErrorCode
	}
	return e.Error
}

func (e apiError) text() string {
	var parts []string
	if c := e.code(); c != "" {
		parts = append(parts, flow.OneLine(c))
	}
	msg := e.Message
	if msg == "" {
		msg = e.Description
	}
	if msg != "" {
		parts = append(parts, flow.OneLine(msg))
	}
	s := strings.Join(parts, ": ")
	if len(e.Fields) > 0 {
		s += " (fields: " + flow.OneLine(strings.Join(e.Fields, ", ")) + ")"
	}
	return s
}

// statusError returns nil for a 2xx answer, else the *flow.Error for it:
// "<METHOD> <path>: <status>: <code>: <message>; <code>: <message>…",
// every entry of the error array, each on one line.
func statusError(m string, u *url.URL, resp *Response) error {
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	entries := errorEntries(resp.Body)
	e := &flow.Error{Op: "api", Kind: kindOf(resp.StatusCode), Status: resp.StatusCode,
		Description: m + " " + displayPath(u) + ": " + flow.OneLine(resp.Status) + describe(resp, entries)}
	e.Advice = advice(resp.StatusCode, entries)
	return e
}

// kindOf maps a non-2xx status to its exit code's kind.
func kindOf(status int) flow.Kind {
	switch {
	case status == http.StatusUnauthorized:
		return flow.KindNoSession
	case status >= 500:
		return flow.KindNetwork
	}
	return flow.KindUnexpected
}

// errorEntries reads the error array, or a single error object.
func errorEntries(body []byte) []apiError {
	var list []apiError
	if json.Unmarshal(body, &list) == nil {
		return list
	}
	var one apiError
	if json.Unmarshal(body, &one) == nil && one.code() != "" {
		return []apiError{one}
	}
	return nil
}

// describe is the part of the line after the status: the error entries,
// else a short text answer, else what kind of answer it was.
func describe(resp *Response, entries []apiError) string {
	var texts []string
	for _, e := range entries {
		if t := e.text(); t != "" {
			texts = append(texts, t)
		}
	}
	if n := len(texts); n > maxEntries {
		texts = append(texts[:maxEntries], fmt.Sprintf("and %d more", n-maxEntries))
	}
	if len(texts) > 0 {
		return ": " + strings.Join(texts, "; ")
	}
	ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	switch {
	case len(resp.Body) == 0:
		return ""
	case ct == "text/plain" && len(resp.Body) <= 200:
		return ": " + flow.OneLine(string(resp.Body))
	case ct == "":
		return fmt.Sprintf(" (%d bytes)", len(resp.Body))
	}
	return fmt.Sprintf(" (%d bytes of %s)", len(resp.Body), flow.OneLine(ct))
}

// advice names the fix for the errors errors.md knows.
func advice(status int, entries []apiError) string {
	for _, e := range entries {
		switch e.code() {
		case "API_CURRENTLY_DISABLED", "API_DISABLED_FOR_ORG":
			return adviceAPIUser
		case "INVALID_AUTH_HEADER", "INVALID_ISS":
			return adviceSiteToken
		}
	}
	if status == http.StatusUnauthorized {
		return adviceSession
	}
	return ""
}
