package httplog

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/sfecho/sfecho/internal/safetext"
)

func TestHARRecordsMasked(t *testing.T) {
	const canary = "CANARY-har-5e1"
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/authorize":
			w.Header().Set("Location", "https://cb.example/echo?code="+canary+"&state=s1")
			w.Header().Set("Set-Cookie", "sid="+canary)
			w.WriteHeader(http.StatusFound)
		case "/token":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"access_token":"`+canary+`","scope":"api","nested":{"id_token":"`+canary+`"}}`)
		default:
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<html>"+canary+"</html>")
		}
	}))
	defer srv.Close()
	harSecret := func(k string) bool { return secret(k) || k == "id_token" || k == "token" }
	h := &HAR{Base: srv.Client().Transport, Secret: harSecret, Creator: "sfecho", Version: "test"}
	c := &http.Client{Transport: h, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	form := url.Values{"password": {canary}, "username": {"alice"}}
	req, _ := http.NewRequest("POST", srv.URL+"/authorize?code="+canary+"&x=1", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("alice", canary)
	mustDo(t, c, req)
	req, _ = http.NewRequest("POST", srv.URL+"/token", strings.NewReader(`{"refresh_token":"`+canary+`"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+canary)
	body := mustDo(t, c, req)
	if !strings.Contains(body, canary) {
		t.Errorf("the caller's body was altered: %s", body)
	}
	req, _ = http.NewRequest("GET", srv.URL+"/page", nil)
	mustDo(t, c, req)
	// No answer at all: a closed port.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := ln.Addr().String()
	ln.Close()
	req, _ = http.NewRequest("GET", "http://"+dead+"/x?token="+canary, nil)
	if _, err := c.Do(req); err == nil {
		t.Fatal("request to a closed port succeeded")
	}

	var buf bytes.Buffer
	if _, err := h.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Contains(out, canary) {
		t.Errorf("HAR leaks a secret:\n%s", out)
	}
	if p := CheckHAR(buf.Bytes()); p != nil {
		t.Errorf("not HAR 1.2: %v\n%s", p, out)
	}
	var doc struct {
		Log struct {
			Version string
			Entries []struct {
				Time    float64
				Request struct {
					Method, URL string
					Headers     []harNV
					QueryString []harNV
					PostData    *harPostData
				}
				Response struct {
					Status      int
					RedirectURL string
					Content     harContent
					Error       string `json:"_error"`
				}
				Timings harTimings
			}
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	es := doc.Log.Entries
	if doc.Log.Version != "1.2" || len(es) != 4 {
		t.Fatalf("version %q, %d entries; want 1.2, 4", doc.Log.Version, len(es))
	}
	a := es[0]
	if a.Request.Method != "POST" || a.Response.Status != 302 || !strings.Contains(a.Response.RedirectURL, "code=****") ||
		!strings.Contains(a.Request.URL, "code=****&x=1") || a.Request.PostData == nil ||
		!strings.Contains(a.Request.PostData.Text, "username=alice") || !hasPair(a.Request.PostData.Params, "password", Mask) ||
		!hasPair(a.Request.Headers, "Authorization", "Basic "+Mask) || !hasPair(a.Request.QueryString, "x", "1") {
		t.Errorf("authorize entry: %+v", a)
	}
	if a.Timings.Connect < 0 || a.Timings.SSL < 0 || a.Timings.DNS != -1 {
		t.Errorf("the first request opens a TLS connection to an IP (no DNS): %+v", a.Timings)
	}
	tok := es[1]
	if !strings.Contains(tok.Response.Content.Text, `"scope":"api"`) || !strings.Contains(tok.Request.PostData.Text, Mask) ||
		tok.Timings.Connect != -1 {
		t.Errorf("token entry (on the same connection): %+v", tok)
	}
	if page := es[2]; page.Response.Content.Text != "" || page.Response.Content.Size == 0 || page.Response.Content.Comment == "" {
		t.Errorf("an HTML body was recorded: %+v", page.Response.Content)
	}
	if e := es[3]; e.Response.Status != 0 || e.Response.Error == "" {
		t.Errorf("failed request entry: %+v", e.Response)
	}
}

func hasPair(list []harNV, name, value string) bool {
	for _, p := range list {
		if p.Name == name && p.Value == value {
			return true
		}
	}
	return false
}

func mustDo(t *testing.T, c *http.Client, req *http.Request) string {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func TestCheckHARFindsProblems(t *testing.T) {
	bad := `{"log":{"version":"1.2","creator":{"name":"x"},"entries":[{"startedDateTime":"yesterday","time":5,
		"request":{"method":"GET"},"response":{},"cache":{},"timings":{"send":1,"wait":-2,"receive":1}}]}}`
	p := strings.Join(CheckHAR([]byte(bad)), "\n")
	for _, want := range []string{"creator.version", "startedDateTime", "request.url", "response.status", "wait", "not the sum"} {
		if !strings.Contains(p, want) {
			t.Errorf("CheckHAR missed %q:\n%s", want, p)
		}
	}
}

// TestHARHostileText: a HAR is as safe to cat as the -v trace. A site's
// bidi and C1 characters (sent as JSON escapes, decoded, re-encoded) are
// written as \u escapes, and a transport error that quotes a code (Go's
// answer to a Location it cannot parse) is masked.
func TestHARHostileText(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/bad" {
			hj, _, _ := http.NewResponseController(w).Hijack()
			_, _ = hj.Write([]byte("HTTP/1.1 302 Found\r\nLocation: http://x/cb?code=CANARY-CODE-789==&state=s\x1b\r\nContent-Length: 0\r\n\r\n"))
			hj.Close()
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"name":"RTL\u202e C1\u009b NEL\u0085 end"}`)
	}))
	defer srv.Close()
	h := &HAR{Secret: func(k string) bool { return k == "code" }}
	c := &http.Client{Transport: h.Wrap(http.DefaultTransport), CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if resp, err := c.Get(srv.URL + "/ok"); err == nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	if resp, err := c.Get(srv.URL + "/bad"); err == nil {
		resp.Body.Close()
	}
	var buf bytes.Buffer
	if _, err := h.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, bad := range []string{"\u202e", "\u009b", "\u0085", "\x1b", "CANARY-CODE-789"} {
		if strings.Contains(out, bad) {
			t.Errorf("HAR holds %q:\n%s", bad, out)
		}
	}
	if !strings.Contains(out, `RTL\u202e`) || !strings.Contains(out, `"_error"`) || !json.Valid(buf.Bytes()) {
		t.Errorf("HAR lost the text or is not JSON:\n%s", out)
	}
}

// TestHARMasksSecretsWithJSONSpecials: a secret holding characters that
// JSON escapes (& < > " \) is masked as the site echoed it, before the HAR
// is encoded.
func TestHARMasksSecretsWithJSONSpecials(t *testing.T) {
	const pw = `Can&ary<9>"q\z`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Echo", pw)
		b, _ := json.Marshal(map[string]string{"error_description": "bad " + pw})
		w.Write(b)
	}))
	defer srv.Close()
	known := &safetext.Secrets{}
	known.Add(pw)
	h := &HAR{Known: known}
	c := &http.Client{Transport: h.Wrap(http.DefaultTransport)}
	if resp, err := c.Get(srv.URL); err == nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	var buf bytes.Buffer
	h.WriteTo(&buf)
	for _, form := range []string{"Can&ary", `Can\u0026ary`, "ary<9", `ary\u003c9`, `q\\z`, `q\\\\z`} {
		if strings.Contains(buf.String(), form) {
			t.Errorf("HAR holds %q:\n%s", form, buf.String())
		}
	}
}
