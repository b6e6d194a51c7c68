package flow

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/sfecho/sfecho/internal/pkce"
)

// wireSite is a bare site that records what the client sends and answers
// with the documented shapes, so that these tests pin the client to
// protocol.md's test vectors rather than to our simulator's tolerance.
type wireSite struct {
	srv  *httptest.Server
	mu   sync.Mutex
	reqs []recorded
}

type recorded struct {
	method, path string
	header       http.Header
	form         url.Values
	json         map[string]any
}

func newWireSite(t *testing.T) *wireSite {
	ws := &wireSite{}
	ws.srv = httptest.NewServer(http.HandlerFunc(ws.serve))
	t.Cleanup(ws.srv.Close)
	return ws
}

func (ws *wireSite) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rec := recorded{method: r.Method, path: r.URL.Path, header: r.Header.Clone()}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		json.Unmarshal(body, &rec.json)
	} else {
		rec.form, _ = url.ParseQuery(string(body))
	}
	ws.mu.Lock()
	ws.reqs = append(ws.reqs, rec)
	ws.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch r.URL.Path {
	case PathAuthorize:
		q := url.Values{"code": {"aPrxCdr=="}, "sfdc_community_url": {ws.srv.URL}, "sfdc_community_id": {"0DBXXXXXXXXXXXXXXXX"},
			"state": {rec.form.Get("state")}}
		w.Header().Set("Location", rec.form.Get("redirect_uri")+"?"+q.Encode())
		w.WriteHeader(http.StatusFound)
	case PathToken:
		io.WriteString(w, `{"access_token":"00DR!AQ","sfdc_community_url":"`+ws.srv.URL+`","sfdc_community_id":"0DBX",`+
			`"signature":"CPk2JprUcxOmRHND71gJFn+SxyKe7jWqA1rQnFz9zZg=","token_format":"opaque","scope":"openid api",`+
			`"instance_url":"https://yourInstance.salesforce.com","id":"https://yourInstance.salesforce.com/id/00D/005",`+
			`"token_type":"Bearer","issued_at":"1667600739962"}`)
	case "/services/auth/headless/init/passwordless/login":
		io.WriteString(w, `{"identifier":"dg3oIDENT","status":"success"}`)
	case PathRevoke:
		w.WriteHeader(http.StatusOK)
	default:
		http.NotFound(w, r)
	}
}

func (ws *wireSite) client(t *testing.T) *Client {
	u, err := ParseSite(ws.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return &Client{HTTP: ws.srv.Client(), Site: u, ClientID: "clientId"}
}

func keys(v url.Values) string {
	var ks []string
	for k := range v {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ",")
}

// TestWireNamedUserLogin pins TV1, TV2 and TV3/TV13.
func TestWireNamedUserLogin(t *testing.T) {
	ws := newWireSite(t)
	c := ws.client(t)
	tok, err := c.Login(context.Background(), Authorization{User: "username", Secret: "password"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(ws.reqs) != 2 {
		t.Fatalf("%d requests; want 2", len(ws.reqs))
	}
	az, tk := ws.reqs[0], ws.reqs[1]
	if az.method != "POST" || az.header.Get("Auth-Request-Type") != "Named-User" ||
		az.header.Get("Authorization") != "Basic dXNlcm5hbWU6cGFzc3dvcmQ=" || // TV1
		az.header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		t.Errorf("authorize headers = %v", az.header)
	}
	// The challenge alone, as Salesforce's own clients send it (protocol.md Q9).
	if got, want := keys(az.form), "client_id,code_challenge,redirect_uri,response_type,state"; got != want {
		t.Errorf("authorize form keys = %s; want %s (TV2 plus PKCE and state)", got, want)
	}
	if az.form.Get("response_type") != "code_credentials" || az.form.Get("redirect_uri") != ws.srv.URL+PathEcho {
		t.Errorf("authorize form = %v", az.form)
	}
	if got, want := keys(tk.form), "client_id,code,code_verifier,grant_type,redirect_uri"; got != want {
		t.Errorf("token form keys = %s; want %s (TV3, TV13)", got, want)
	}
	if v := tk.form.Get("code_verifier"); len(v) != 128 || pkce.ChallengeS256(v) != az.form.Get("code_challenge") {
		t.Errorf("code_verifier is %d characters (want 128) or does not match the challenge", len(v))
	}
	if tk.form.Get("code") != "aPrxCdr==" || tk.form.Get("grant_type") != "authorization_code" ||
		tk.form.Get("redirect_uri") != az.form.Get("redirect_uri") || tk.header.Get("Authorization") != "" {
		t.Errorf("token form = %v, Authorization %q", tk.form, tk.header.Get("Authorization"))
	}
	if tok.IssuedAt != "1667600739962" || tok.InstanceURL != "https://yourInstance.salesforce.com" {
		t.Errorf("token = %+v", tok)
	}
}

// TestWirePasswordless pins TV6: init body, then the OTP authorize.
func TestWirePasswordless(t *testing.T) {
	ws := newWireSite(t)
	c := ws.client(t)
	ch, err := c.InitPasswordless(context.Background(), PasswordlessInit{Username: "u@example.com", Method: MethodEmail,
		Auth: InitAuth{Recaptcha: "rc-token"}})
	if err != nil {
		t.Fatal(err)
	}
	init := ws.reqs[0]
	if init.method != "POST" || len(init.json) != 3 || init.json["username"] != "u@example.com" ||
		init.json["verificationmethod"] != "email" || init.json["recaptcha"] != "rc-token" {
		t.Errorf("init body = %v", init.json)
	}
	if _, err := c.Login(context.Background(), OTPAuthorization(RequestPasswordless, *ch, "OTP"), nil); err != nil {
		t.Fatal(err)
	}
	az := ws.reqs[1]
	if az.header.Get("Auth-Request-Type") != "passwordless-login" || az.header.Get("Auth-Verification-Type") != "email" ||
		az.header.Get("Authorization") != "Basic ZGczb0lERU5UOk9UUA==" { // base64("dg3oIDENT:OTP")
		t.Errorf("passwordless authorize headers = %v", az.header)
	}
}

// TestWireRevoke pins TV8.
func TestWireRevoke(t *testing.T) {
	ws := newWireSite(t)
	c := ws.client(t)
	if err := c.Revoke(context.Background(), "", "the-token"); err != nil {
		t.Fatal(err)
	}
	r := ws.reqs[0]
	if r.method != "POST" || r.path != PathRevoke || r.form.Get("token") != "the-token" ||
		r.header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		t.Errorf("revoke = %+v", r)
	}
}
