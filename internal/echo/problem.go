package echo

import (
	"crypto/subtle"
	"strconv"
	"strings"
)

// Problem kinds. Syntax kinds come from [ParseQueryLenient] and [Parse];
// the others from [Params.Check].
const (
	KindMalformedEscape = "malformed-escape" // "%" not followed by two hex digits
	KindInvalidUTF8     = "invalid-utf8"     // decoded bytes are not UTF-8
	KindRepeatedKey     = "repeated-key"     // a key given more than once
	KindEmptyKey        = "empty-key"        // "=value" or "&=&"
	KindError           = "error"            // the redirect carries error=
	KindMissingCode     = "missing-code"     // neither code nor error
	KindMissingState    = "missing-state"    // a state was expected, none came
	KindStateMismatch   = "state-mismatch"   // state differs from the expected one
)

// Problem is one thing wrong with a redirect's parameters. Param names the
// parameter (empty when none applies), Kind is one of the Kind constants,
// and Detail says what is wrong in words. Neither field ever holds the value
// of a code, token or state; Detail may quote the site's error and
// error_description, which are not secret.
type Problem struct {
	Param  string `json:"param,omitempty"`
	Kind   string `json:"kind"`
	Detail string `json:"detail"`
}

// String returns the problem as one line for a terminal, such as
// `parameter "state": appears 2 times; the first value is used`. The
// parameter name is quoted, so control characters in it cannot reach the
// terminal.
func (p Problem) String() string {
	if p.Param == "" {
		return p.Detail
	}
	return "parameter " + strconv.Quote(p.Param) + ": " + p.Detail
}

// Check returns r's syntax problems followed by [Params.Check]'s: everything
// a person debugging this redirect should hear about.
func (r Result) Check(wantState string) []Problem {
	out := append([]Problem(nil), r.Problems...)
	return append(out, r.Params.Check(wantState)...)
}

// Check reports what makes p unusable as an authorization response:
//   - an "error" parameter, explained with error_description and, for the
//     codes Salesforce documents, a short hint (errors.md §A, §E1); a missing
//     code is then not reported separately, since the error explains it;
//   - otherwise a missing "code";
//   - when wantState is not empty, a missing or different "state" (errors.md
//     E2). The comparison is constant-time and neither state is quoted.
func (p Params) Check(wantState string) []Problem {
	var out []Problem
	if e, ok := p["error"]; ok {
		out = append(out, errorProblem(e, p["error_description"]))
	} else if _, ok := p["code"]; !ok {
		out = append(out, Problem{Param: "code", Kind: KindMissingCode,
			Detail: "missing: the redirect carries no authorization code"})
	}
	if wantState == "" {
		return out
	}
	const advice = "possible replay or mix-up; start the login again and do not reuse redirect URLs"
	got, ok := p["state"]
	switch {
	case !ok:
		out = append(out, Problem{Param: "state", Kind: KindMissingState,
			Detail: "missing, but a state was expected: " + advice})
	case subtle.ConstantTimeCompare([]byte(got), []byte(wantState)) != 1:
		out = append(out, Problem{Param: "state", Kind: KindStateMismatch,
			Detail: "does not match the expected state: " + advice})
	}
	return out
}

// errorProblem describes an error redirect: the code, the description and
// a hint when the code is known.
func errorProblem(code, desc string) Problem {
	d := "the site returned " + strconv.Quote(code)
	if desc != "" {
		d += " (" + strconv.Quote(desc) + ")"
	}
	if hint := ExplainError(code); hint != "" {
		d += ": " + hint
	}
	return Problem{Param: "error", Kind: KindError, Detail: d}
}

// errorHints maps OAuth error codes Salesforce uses (protocol.md §11) to
// the advice in errors.md. Keys use "_"; see [ExplainError].
var errorHints = map[string]string{
	"access_denied":              "authorization was denied in the browser: sign in again and choose Allow",
	"invalid_client_id":          "the client id is not the Consumer Key of an app in the site's org (a new or edited app can take ~10 min)",
	"invalid_client":             "the client credentials are invalid: check the client id and secret",
	"invalid_client_credentials": "the client credentials are invalid: check the client id and secret",
	"redirect_uri_mismatch":      "the redirect_uri is not registered on the app byte for byte (Callback URL: scheme, host, port, path)",
	"redirect_uri_missing":       "the request carried no redirect_uri",
	"unsupported_response_type":  `the response type is refused: enable "Allow Authorization Code and Credentials Flows" in the org`,
	"oauth_flow_disabled":        `the flow is not enabled: turn on "Enable Authorization Code and Credentials Flow" on the app and in the org`,
	"invalid_grant":              "the credentials, code or token were rejected",
	"invalid_app_access":         "the user is not approved for this app: add the user's profile or permission set to the app's policies",
	"inactive_user":              "the user is inactive or locked: an admin must reactivate or unlock it",
	"inactive_org":               "the org is locked, closed or suspended: contact its admin",
	"rate_limit_exceeded":        "the login rate limit (3,600 per user per hour) was reached: reuse the saved session",
	"invalid_scope":              "a requested scope is not selected on the app; scopes are space-separated",
	"invalid_request":            "the site rejected the request as malformed; the description says which part",
	"unknown_error":              "the site gave no specific reason; the description may help",
	"server_error":               "the site failed internally: try again later",
	"service_unavailable":        "the site is unavailable: try again later",
}

// ExplainError returns a one-line hint for an OAuth error code Salesforce
// uses, or "" for an unknown one. It accepts "access-denied" as well as
// "access_denied", since the web-server flow documents the hyphen
// (protocol.md TV11), and ignores case.
func ExplainError(code string) string {
	return errorHints[strings.ReplaceAll(strings.ToLower(code), "-", "_")]
}
