package sim

import (
	"html/template"
	"net/http"
)

// browserAuthorize serves the ordinary authorization-code flow
// (response_type=code, protocol.md §10): GET shows the login page, whose
// form POSTs the same parameters back with username and password. Errors
// that make the redirect_uri untrustworthy (client_id, redirect_uri) get an
// HTML error page; the rest travel on the redirect as error= and
// error_description= (errors.md A14, D1).
func (s *Site) browserAuthorize(w http.ResponseWriter, r *http.Request) {
	f := r.Form
	if f.Get("client_id") != s.cfg.ClientID || s.cfg.ClientID == "" {
		errorPage(w, "invalid_client_id", "client identifier invalid")
		return
	}
	uri := f.Get("redirect_uri")
	if uri == "" || !s.redirectAllowed(r, uri) {
		errorPage(w, "redirect_uri_mismatch", "redirect_uri must match configuration")
		return
	}
	state := f.Get("state")
	scope, ok := s.grantScope(f.Get("scope"))
	if !ok {
		redirectError(w, uri, state, "invalid_scope", "the requested scope is not allowed")
		return
	}
	if desc := s.checkChallenge(f.Get("code_challenge"), f.Get("code_challenge_method")); desc != "" {
		redirectError(w, uri, state, "invalid_request", desc)
		return
	}
	a := &authReq{clientID: s.cfg.ClientID, redirectURI: uri, state: state, scope: scope, challenge: f.Get("code_challenge")}
	switch action := r.PostForm.Get("action"); {
	case r.Method == http.MethodPost && action == "deny":
		redirectError(w, uri, state, "access_denied", "end-user denied authorization")
	case r.Method == http.MethodPost && action != "" || r.PostForm.Get("username") != "":
		s.browserLogin(w, r, a)
	default:
		s.showLogin(w, r, "")
	}
}

// browserLogin checks the login form's credentials: a bad password shows
// the page again with a message, as a real login page does.
func (s *Site) browserLogin(w http.ResponseWriter, r *http.Request, a *authReq) {
	m, code, _ := s.checkPassword(r.PostForm.Get("username"), "", r.PostForm.Get("password"))
	switch {
	case m != nil:
		a.user = m
		s.issueCode(w, r, a)
	case code == "inactive_user":
		s.showLogin(w, r, "Your access is disabled. Contact your site administrator.")
	default:
		s.showLogin(w, r, "Please check your username and password. If you still can't log in, contact your Salesforce administrator.")
	}
}

// browserParams are the authorize parameters the login form carries.
var browserParams = []string{"response_type", "client_id", "redirect_uri", "state", "scope", "code_challenge", "code_challenge_method", "nonce"}

func (s *Site) showLogin(w http.ResponseWriter, r *http.Request, msg string) {
	d := loginData{Action: s.cfg.PathPrefix + "/services/oauth2/authorize", Error: msg}
	for _, k := range browserParams {
		if v := r.Form.Get(k); v != "" {
			d.Hidden = append(d.Hidden, hiddenField{k, v})
		}
	}
	writeHTML(w, http.StatusOK, loginPage, d)
}

func redirectError(w http.ResponseWriter, uri, state, code, desc string) {
	redirect(w, withQuery(uri, param{"error", code}, param{"error_description", desc}, param{"state", state}))
}

var errorTmpl = template.Must(template.New("error").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Error | Site</title></head>
<body><h1>Remote Access Error</h1>
<p id="error">error={{.Code}}</p><p id="error_description">{{.Desc}}</p></body></html>
`))

// errorPage answers 400 with an HTML page naming the OAuth error, since
// the redirect_uri cannot be trusted with it.
func errorPage(w http.ResponseWriter, code, desc string) {
	writeHTML(w, http.StatusBadRequest, errorTmpl, struct{ Code, Desc string }{code, desc})
}
