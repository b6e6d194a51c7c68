package flow

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
)

// ForgotPassword starts a headless password reset: POST
// {site}/services/auth/headless/forgot_password with {username, recaptcha}.
// The site answers {"status_code":"otp_sent"} whether or not the user
// exists (protocol.md §6, TV7): the answer says nothing about the user, and
// neither must the caller.
func (c *Client) ForgotPassword(ctx context.Context, username string, auth InitAuth) error {
	if strings.TrimSpace(username) == "" {
		return UsageError("--username is required")
	}
	body := map[string]any{"username": username}
	auth.fill(body)
	b, err := c.postInit(ctx, OpForgotInit, PathForgotPassword, auth, body)
	if err != nil {
		return err
	}
	if err := checkStatusCode(OpForgotInit, b, "otp_sent"); err != nil {
		return err
	}
	c.logf("%s: the site answered otp_sent (it does so for unknown users too)", OpForgotInit)
	return nil
}

// ChangePassword finishes a reset: the same endpoint with {username, otp,
// newpassword}; the answer is {"status_code":"success"} (protocol.md §6).
// The Bearer token from auth is sent as at init; reCAPTCHA is not (the token
// was spent at init) and neither is emailtemplate (no email goes out).
func (c *Client) ChangePassword(ctx context.Context, username, otp, newPassword string, auth InitAuth) error {
	if username == "" || otp == "" || newPassword == "" {
		return UsageError("changing a password needs the username, the OTP and the new password")
	}
	body := map[string]any{"username": username, "otp": otp, "newpassword": newPassword}
	auth = InitAuth{Token: auth.Token}
	b, err := c.postInit(ctx, OpForgotChange, PathForgotPassword, auth, body)
	if err != nil {
		return forgotOTPAdvice(err)
	}
	if err := checkStatusCode(OpForgotChange, b, "success"); err != nil {
		return forgotOTPAdvice(err)
	}
	c.logf("%s: the site answered success", OpForgotChange)
	return nil
}

// checkStatusCode accepts an answer whose status_code is want, or one
// with no status_code at all (the field is documented but its absence is
// not an error sign). Any other value is a failure, classified like an
// error body (errors.md §I).
func checkStatusCode(op string, body []byte, want string) error {
	var v struct {
		StatusCode string `json:"status_code"`
		Message    string `json:"message"`
	}
	if json.Unmarshal(body, &v) != nil || v.StatusCode == "" || strings.EqualFold(v.StatusCode, want) {
		return nil
	}
	e := &Error{Op: op, Status: http.StatusOK, Code: oneLine(v.StatusCode), Description: oneLine(v.Message)}
	e.Kind, e.Advice = classifyInit(op, e.Code, e.Description, http.StatusOK, InitAuth{})
	return e
}

// forgotOTPAdvice adds "or no such user" to a rejected OTP: the init step
// answered otp_sent for unknown users too, so a refused code may mean the
// user does not exist (errors.md I7). It never says which.
func forgotOTPAdvice(err error) error {
	var e *Error
	if errors.As(err, &e) && e.Advice == adviceOTP {
		e.Advice = adviceOTPForgot
	}
	return err
}
