package simtest

import (
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

var (
	formActionRe  = regexp.MustCompile(`<form[^>]*action="([^"]*)"`)
	hiddenInputRe = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)
)

// SignIn is what [Browser] does for one login: it GETs authURL (response_type=code), posts the login
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

// Browser is a fake browser for the simulator's login page, the test double
// for browser logins (sfecho login --web): Open visits the login page in a
// goroutine and returns at once, as xdg-open does; Result waits for the
// page it ended on.
type Browser struct {
	User, Pass string
	// Action is the button pressed: "login" (default) or "deny".
	Action string
	// Rewrite, when set, edits the 302 to the callback before it is
	// followed (to forge a state, say).
	Rewrite func(*url.URL)
	done    chan Page
}

// Page is what a browser ended on.
type Page struct {
	Status int
	Body   string
	Err    error
}

// NewBrowser returns a browser that signs in as user.
func NewBrowser(user, pass string) *Browser {
	return &Browser{User: user, Pass: pass, Action: "login", done: make(chan Page, 1)}
}

// Open browses authURL in a goroutine; it never fails, like a browser
// launcher that started.
func (b *Browser) Open(authURL string) error {
	go b.Visit(authURL)
	return nil
}

// Visit browses authURL and records the page it ended on.
func (b *Browser) Visit(authURL string) {
	status, body, err := SignIn(authURL, b.User, b.Pass, b.Action, b.Rewrite)
	b.done <- Page{status, body, err}
}

// Fail records a page that was never reached.
func (b *Browser) Fail(err error) { b.done <- Page{Err: err} }

// Result waits for the page the browser ended on.
func (b *Browser) Result(t testing.TB) Page {
	t.Helper()
	select {
	case p := <-b.done:
		return p
	case <-time.After(20 * time.Second):
		t.Fatal("the fake browser never finished")
		return Page{}
	}
}
