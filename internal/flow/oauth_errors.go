package flow

import "strings"

// classifyOAuth maps an OAuth error code and description to a Kind and the
// advice line errors.md gives for it. op distinguishes the refresh step,
// where a rejected grant means "log in again" (exit 4) rather than "wrong
// credentials" (exit 3).
func classifyOAuth(op, code, desc string) (Kind, string) {
	d := strings.ToLower(desc)
	refresh := op == OpRefresh
	if op == OpAuthorizeOTP {
		// Registration and OTP failures at the OTP's authorize step
		// (errors.md I4, I5, I7, I8; init_errors.go).
		if k, advice, ok := classifyHeadlessText(strings.ToLower(code + " " + desc)); ok {
			return k, advice
		}
	}
	// The description decides before the code: the flow switched off comes
	// as invalid_client, which is otherwise about the secret (errors.md A4).
	if strings.Contains(d, "flow not enabled") && !strings.Contains(d, "guest") {
		return KindSetup, adviceFlowDisabled
	}
	switch code {
	case "invalid_grant":
		return classifyGrant(refresh, op, d)
	case "invalid_client_id":
		return KindSetup, adviceClientID
	case "invalid_client", "invalid_client_credentials":
		if refresh {
			return KindNoSession, adviceRefreshDead
		}
		return KindSetup, adviceSecret
	case "redirect_uri_mismatch", "redirect_uri_missing":
		return KindSetup, adviceRedirect
	case "unsupported_response_type":
		return KindSetup, adviceResponseType
	case "oauth_flow_disabled":
		return KindSetup, adviceFlowDisabled
	case "invalid_app_access":
		return KindSetup, adviceAppAccess
	case "inactive_user":
		return KindRejected, adviceInactiveUser
	case "inactive_org":
		return KindSetup, adviceInactiveOrg
	case "rate_limit_exceeded":
		return KindNetwork, adviceRateLimit
	case "invalid_scope":
		return KindSetup, adviceScope
	case "access_denied", "access-denied":
		return KindRejected, adviceDenied
	case "unsupported_grant_type":
		return KindUsage, adviceGrantType
	case "invalid_otp", "otp_error":
		return KindRejected, adviceOTP
	case "invalid_basic_auth_header", "login_error":
		return KindRejected, adviceCredentials
	case "invalid_request":
		return classifyInvalidRequest(d)
	}
	if strings.Contains(d, "guest flow not enabled") {
		return KindSetup, adviceGuestDisabled
	}
	return KindUnexpected, ""
}

func classifyGrant(refresh bool, op, d string) (Kind, string) {
	switch {
	case strings.Contains(d, "ip restricted"):
		return KindSetup, adviceIPRestricted
	case strings.Contains(d, "approved this consumer"):
		return KindSetup, adviceNotApproved
	case refresh && strings.Contains(d, "authentication failure"):
		return KindNoSession, adviceRefreshAuth
	case refresh:
		return KindNoSession, adviceRefreshDead
	case strings.Contains(d, "code verifier"):
		return KindRejected, advicePKCE
	case strings.Contains(d, "authorization code"):
		return KindRejected, adviceCodeExpired
	case strings.Contains(d, "otp") || op == OpAuthorizeOTP:
		return KindRejected, adviceOTP
	}
	return KindRejected, adviceCredentials
}

func classifyInvalidRequest(d string) (Kind, string) {
	switch {
	case strings.Contains(d, "code challenge"):
		return KindSetup, advicePKCERequired
	case strings.Contains(d, "guest flow"):
		return KindSetup, adviceGuestDisabled
	case strings.Contains(d, "uvid"):
		return KindUsage, adviceUVID
	case strings.Contains(d, "https required"), strings.Contains(d, "must use http"):
		return KindUsage, adviceHTTPS
	case strings.Contains(d, "header"):
		return KindSetup, adviceGuestDisabled
	}
	return KindSetup, ""
}
