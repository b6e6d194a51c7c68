package sim

import (
	"html/template"
	"net/http"
)

// loginData fills the site's login page. Hidden carries the browser flow's
// authorize parameters through the form POST (protocol.md §10).
type loginData struct {
	Action string
	Error  string
	Hidden []hiddenField
}

type hiddenField struct{ Name, Value string }

// loginPage is the site's HTML login page. Salesforce answers with a page
// like it when a request is not taken as headless (protocol.md §1, errors.md
// A5); the browser flow uses it for real. The ids #username, #password and
// #login make it easy to drive from a headless browser.
var loginPage = template.Must(template.New("login").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Login | Site</title></head>
<body>
<h1>Log in</h1>
<p>sfecho simulated Experience Cloud site</p>
{{if .Error}}<p id="error" role="alert">{{.Error}}</p>{{end}}
<form id="loginForm" method="POST" action="{{.Action}}">
{{range .Hidden}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{end}}<label for="username">Username</label> <input id="username" name="username" type="text" autocomplete="username">
<label for="password">Password</label> <input id="password" name="password" type="password" autocomplete="current-password">
<button id="login" name="action" value="login" type="submit">Log In</button>
<button id="deny" name="action" value="deny" type="submit">Deny</button>
</form>
</body></html>
`))

// notHeadless answers 200 with the HTML login page: what Salesforce sends
// when it does not take a request as headless.
func (s *Site) notHeadless(w http.ResponseWriter, r *http.Request, why string) {
	s.logf("authorize: not treated as headless (%s): HTML login page", why)
	writeHTML(w, http.StatusOK, loginPage, loginData{Action: s.cfg.PathPrefix + "/services/oauth2/authorize"})
}
