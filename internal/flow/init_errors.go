package flow

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strings"
)

// Advice lines of errors.md §I. The "…None" variants say which input was
// missing when sfecho sent none (a user must learn which one to supply).
const (
	adviceRecaptcha         = `the site requires reCAPTCHA: send a fresh token, or have the admin use "Require authentication" instead` // I1
	adviceRecaptchaNone     = "the site requires reCAPTCHA: pass a fresh token with --recaptcha or SFECHO_RECAPTCHA (Enterprise: --recaptcha-enterprise)"
	adviceInitToken         = "site wants an integration-user Bearer token (user_registration_api/pwdless_login_api/forgot_password)" // I2
	adviceInitDisabled      = "enable the flow in the site's Login & Registration > Headless Identity Configuration, then save"       // I3
	adviceDuplicateUser     = "that username exists in some Salesforce org: choose another --username (it need not be the email)"     // I4
	adviceWeakPassword      = "the new password fails the site's password policy: use a longer one with letters and digits"           // I5
	adviceEmailTemplate     = "the site allowlists email templates: pass an allowlisted emailtemplate or clear the allowlist"         // I6
	adviceOTPAttempts       = "too many wrong codes: start the flow again to get a new code"                                          // I8
	adviceVerificationType  = "the OTP was sent by another method: pass the same --method as at init (Auth-Verification-Type must match)"
	adviceNoPhone           = "sms needs the user's mobile phone: pass --custom mobilePhone=+15555550100, or use --method email"
	adviceOTPForgot         = "the code was wrong or has expired, or the username is not a member of this site: request a new code"
	adviceInitEndpoint404   = "no headless endpoint there: check the site prefix, and that the flow is enabled in the site's Headless Identity Configuration"
	adviceInitUnexpectedFmt = "the %s endpoint answered something sfecho cannot place: run with -v and compare with protocol.md §4–§6"
)

// initScopes names the scope an integration token needs per init step
// (errors.md I2).
var initScopes = map[string]string{
	OpInitPasswordless: "pwdless_login_api",
	OpInitRegistration: "user_registration_api",
	OpForgotInit:       "forgot_password",
	OpForgotChange:     "forgot_password",
}

// initError classifies a non-2xx answer of an init endpoint. Its error
// bodies are [UNCONFIRMED] (errors.md §I): sfecho prints error and
// error_description (or message, or errorCode) raw, then the advice that
// keywords in them point to.
func initError(op string, resp *http.Response, body []byte, auth InitAuth) error {
	ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	b, parsed := parseInitBody(body)
	switch {
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests:
		return responseError(op, resp, body)
	case !parsed && resp.StatusCode == http.StatusNotFound:
		e := responseError(op, resp, body).(*Error)
		e.Advice = adviceInitEndpoint404
		return e
	case !parsed && ct == "text/html":
		return responseError(op, resp, body)
	}
	e := &Error{Op: op, Status: resp.StatusCode}
	if parsed {
		e.Code, e.Description = b.code(), b.description()
	} else {
		e.Description = fmt.Sprintf("the site answered %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
		if ct == "text/plain" && len(body) > 0 {
			e.Description += ": " + oneLine(string(body))
		}
	}
	e.Kind, e.Advice = classifyInit(op, e.Code, e.Description, resp.StatusCode, auth)
	return e
}

// initBodyError catches a 2xx answer that carries an error object (some
// Salesforce endpoints answer 200 with an error: x/oauth2's "unorthodox
// servers").
func initBodyError(op string, resp *http.Response, body []byte, auth InitAuth) error {
	b, ok := parseOAuth(body)
	if !ok {
		return nil
	}
	e := &Error{Op: op, Status: resp.StatusCode, Code: b.code(), Description: b.description()}
	e.Kind, e.Advice = classifyInit(op, e.Code, e.Description, resp.StatusCode, auth)
	return e
}

// parseInitBody reads the error shapes an init endpoint may use:
// {"error","error_description"}, {"errorCode","message"} (alone or in an
// array), {"message"} or {"status_code"}.
func parseInitBody(body []byte) (oauthBody, bool) {
	if b, ok := parseOAuth(body); ok {
		return b, true
	}
	var v struct {
		oauthBody
		StatusCode string `json:"status_code"`
	}
	if json.Unmarshal(body, &v) != nil {
		return oauthBody{}, false
	}
	if v.ErrorCode == "" && v.StatusCode != "" {
		v.ErrorCode = v.StatusCode
	}
	return v.oauthBody, v.ErrorCode != "" || v.Message != ""
}

// classifyInit maps an init failure to a Kind and the errors.md §I advice.
// Keywords are matched in code and description together, case-insensitively.
func classifyInit(op, code, desc string, status int, auth InitAuth) (Kind, string) {
	t := strings.ToLower(code + " " + desc)
	if k, advice, ok := classifyHeadlessText(t); ok {
		return k, advice
	}
	switch {
	case strings.Contains(t, "recaptcha") || strings.Contains(t, "captcha"):
		if !auth.hasRecaptcha() {
			return KindSetup, adviceRecaptchaNone
		}
		return KindSetup, adviceRecaptcha
	case strings.Contains(t, "template"):
		return KindSetup, adviceEmailTemplate
	case strings.Contains(t, "mobilephone") || strings.Contains(t, "phone number"):
		return KindRejected, adviceNoPhone // the site refused the input: something was sent (exit 3, not 2)
	case strings.Contains(t, "disabled") || strings.Contains(t, "not enabled") ||
		strings.Contains(t, "not allowed") || strings.Contains(t, "not permitted"):
		return KindSetup, adviceInitDisabled
	case status == http.StatusUnauthorized || status == http.StatusForbidden ||
		strings.Contains(t, "unauthorized") || strings.Contains(t, "bearer") ||
		strings.Contains(t, "authentication required") || strings.Contains(t, "invalid_session") ||
		strings.Contains(t, "invalid_auth_header") || strings.Contains(t, "access token"):
		return KindSetup, initTokenAdvice(op, auth)
	case strings.Contains(t, "otp") || strings.Contains(t, "one-time") || strings.Contains(t, "identifier") ||
		strings.Contains(t, "expired") || strings.Contains(t, "verification code"):
		return KindRejected, adviceOTP
	}
	if k, advice := classifyOAuth(op, code, desc); k != KindUnexpected {
		if advice == "" {
			advice = fmt.Sprintf(adviceInitUnexpectedFmt, op)
		}
		return k, advice
	}
	return KindUnexpected, fmt.Sprintf(adviceInitUnexpectedFmt, op)
}

// initTokenAdvice says whether the Bearer token was missing or refused.
func initTokenAdvice(op string, auth InitAuth) string {
	scope := initScopes[op]
	if auth.Token == "" {
		return "the site requires an integration-user Bearer token (scope " + scope + "): set SFECHO_INIT_TOKEN or --init-token-file"
	}
	if scope == "" {
		return adviceInitToken
	}
	return "the integration-user token was refused: it needs the " + scope + " scope and must be current (SFECHO_INIT_TOKEN)"
}

// classifyHeadlessText recognises the registration and OTP failures that can
// surface both at init and at the OTP's authorize step: a duplicate
// username (I4; where it surfaces is [UNCONFIRMED]), a weak password (I5),
// too many attempts (I8) and a verification-method mismatch (I7). t is the
// lower-cased code and description.
func classifyHeadlessText(t string) (Kind, string, bool) {
	switch {
	case strings.Contains(t, "duplicate") ||
		(strings.Contains(t, "username") && (strings.Contains(t, "exists") || strings.Contains(t, "taken"))):
		return KindRejected, adviceDuplicateUser, true
	case strings.Contains(t, "invalid_new_password") || strings.Contains(t, "password") &&
		(strings.Contains(t, "policy") || strings.Contains(t, "weak") || strings.Contains(t, "complex") ||
			strings.Contains(t, "too short") || strings.Contains(t, "requirement") || strings.Contains(t, "at least")):
		return KindRejected, adviceWeakPassword, true
	case strings.Contains(t, "too many") || strings.Contains(t, "attempts"):
		return KindRejected, adviceOTPAttempts, true
	case strings.Contains(t, "verification type") || strings.Contains(t, "verification method") ||
		strings.Contains(t, "auth-verification-type"):
		return KindRejected, adviceVerificationType, true
	}
	return 0, "", false
}
