package sim

import (
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

var (
	formActionRe  = regexp.MustCompile(`<form[^>]*action="([^"]*)"`)
	hiddenInputRe = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)
)

// SignIn is a fake browser for the simulator's login page, the test double
// for browser logins: it GETs authURL (response_type=code), posts the login
// form with user and pass (action "login", or "deny"), and follows the 302
// to the callback asking for HTML, as a browser would. rewrite, when set,
// may change the callback URL first (to forge a state, say). It returns the
// callback's status and page; its client never follows redirects itself.
func SignIn(authURL, user, pass, action string, rewrite func(*url.URL)) (status int, page string, err error) {
	hc := &http.Client{Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Get(authURL)
	if err != nil {
		return 0, "", err
	}
	form, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	m := formActionRe.FindSubmatch(form)
	if m == nil {
		return 0, "", fmt.Errorf("no login form (status %d)", resp.StatusCode)
	}
	v := url.Values{"username": {user}, "password": {pass}, "action": {action}}
	for _, f := range hiddenInputRe.FindAllSubmatch(form, -1) {
		v.Set(html.UnescapeString(string(f[1])), html.UnescapeString(string(f[2])))
	}
	target, _ := url.Parse(authURL)
	target, _ = target.Parse(html.UnescapeString(string(m[1])))
	resp, err = hc.PostForm(target.String(), v)
	if err != nil {
		return 0, "", err
	}
	resp.Body.Close()
	loc, err := resp.Location()
	if err != nil {
		return 0, "", fmt.Errorf("the login POST answered %d without a redirect", resp.StatusCode)
	}
	if rewrite != nil {
		rewrite(loc)
	}
	req, _ := http.NewRequest(http.MethodGet, loc.String(), nil)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
	resp, err = hc.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		return resp.StatusCode, string(body), fmt.Errorf("the callback answered %s, not HTML", ct)
	}
	return resp.StatusCode, string(body), nil
}
