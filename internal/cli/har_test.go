package cli

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/sfecho/sfecho/internal/httplog"
)

// harEntry is the part of a HAR entry the tests read.
type harEntry struct {
	Time    float64
	Request struct {
		Method, URL string
		Headers     []struct{ Name, Value string }
	}
	Response struct {
		Status  int
		Content struct{ Text string }
	}
	Timings map[string]float64
}

// readHAR loads a HAR file, checks it against the HAR 1.2 field list and
// that no canary is in it, and returns its entries.
func readHAR(t *testing.T, path string, cn *canaries) []harEntry {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if p := httplog.CheckHAR(b); p != nil {
		t.Errorf("not HAR 1.2: %v", p)
	}
	if l := cn.leaks(string(b)); len(l) > 0 {
		t.Errorf("the HAR leaks %v", l)
	}
	var doc struct {
		Log struct {
			Version string
			Creator struct{ Name string }
			Entries []harEntry
		}
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Log.Version != "1.2" || doc.Log.Creator.Name != "sfecho" {
		t.Errorf("log version %q creator %q", doc.Log.Version, doc.Log.Creator.Name)
	}
	for i, e := range doc.Log.Entries {
		for _, k := range []string{"send", "wait", "receive"} {
			if v, ok := e.Timings[k]; !ok || v < 0 {
				t.Errorf("entry %d: timing %s = %v", i, k, v)
			}
		}
	}
	return doc.Log.Entries
}

// harSummary is "METHOD path status" per entry.
func harSummary(es []harEntry) []string {
	var out []string
	for _, e := range es {
		path := e.Request.URL
		if u, err := url.Parse(e.Request.URL); err == nil {
			path = u.Path
		}
		out = append(out, e.Request.Method+" "+path+" "+strconv.Itoa(e.Response.Status))
	}
	return out
}

func TestHARLogin(t *testing.T) {
	const pw = "CANARY-har-pw-4f1"
	cfg := defaultConfig()
	cfg.Users[0].Password = pw
	cn := &canaries{seen: map[string]string{pw: "password"}}
	ts := startSite(t, cfg, cn.record)
	har := filepath.Join(t.TempDir(), "login.har")
	te := newTestEnv(t)
	te.stdin.WriteString(pw + "\n")
	if code := te.run(t, ts.loginArgs("--har", har, "-v", "--capture", "echo", "-o", "json")...); code != 0 {
		t.Fatalf("exit %d\n%s", code, te.stderr)
	}
	es := readHAR(t, har, cn)
	got := strings.Join(harSummary(es), ", ")
	want := "POST /services/oauth2/authorize 302, GET /services/oauth2/echo 200, POST /services/oauth2/token 200"
	if got != want {
		t.Errorf("entries: %s; want %s", got, want)
	}
	if len(es) == 3 && !strings.Contains(es[2].Response.Content.Text, `"token_type":"Bearer"`) {
		t.Errorf("token answer not recorded (masked): %q", es[2].Response.Content.Text)
	}
	if fi, err := os.Stat(har); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("HAR file mode: %v %v", fi.Mode(), err)
	}

	// A failed login still writes its HAR.
	te.stdin.WriteString("CANARY-har-wrong-77\n")
	cn.add("password", "CANARY-har-wrong-77")
	if code := te.run(t, ts.loginArgs("--har", har)...); code != 3 {
		t.Fatalf("wrong password: exit %d", code)
	}
	if got := harSummary(readHAR(t, har, cn)); len(got) != 1 || got[0] != "POST /services/oauth2/authorize 400" {
		t.Errorf("failed login entries: %v", got)
	}

	// A path that cannot be written: exit 2 before any request.
	n := ts.Requests()
	te.stdin.WriteString(pw + "\n")
	if code := te.run(t, ts.loginArgs("--har", filepath.Join(t.TempDir(), "no", "such", "dir.har"))...); code != 2 {
		t.Errorf("unwritable --har: exit %d\n%s", code, te.stderr)
	}
	if ts.Requests() != n {
		t.Error("a request was sent although --har cannot be written")
	}
}

func TestHARPasswordless(t *testing.T) {
	cn := &canaries{seen: map[string]string{}}
	ts := startSite(t, flowsConfig(), cn.record)
	har := filepath.Join(t.TempDir(), "pwl.har")
	te := newTestEnv(t)
	te.In = newOTPStdin(ts, testUser, "", "")
	if code := te.run(t, ts.pwlArgs("--username", testUser, "--har", har, "-o", "json")...); code != 0 {
		t.Fatalf("exit %d\n%s", code, te.stderr)
	}
	otp, _ := ts.LastOTP(testUser)
	cn.add("otp", otp)
	es := readHAR(t, har, cn)
	got := strings.Join(harSummary(es), ", ")
	want := "POST /services/auth/headless/init/passwordless/login 200, POST /services/oauth2/authorize 302, POST /services/oauth2/token 200"
	if got != want {
		t.Errorf("entries: %s; want %s", got, want)
	}
	for _, e := range es {
		for _, h := range e.Request.Headers {
			if h.Name == "Authorization" && h.Value != "Basic "+httplog.Mask {
				t.Errorf("Authorization recorded as %q", h.Value)
			}
		}
	}
}

func TestHARDoctor(t *testing.T) {
	const pw = "CANARY-har-doctor-pw-9a"
	cfg := doctorConfig()
	cfg.Users[0].Password = pw
	cn := &canaries{seen: map[string]string{pw: "password"}}
	ts := startSite(t, cfg, cn.record)
	har := filepath.Join(t.TempDir(), "doctor.har")
	te := newTestEnv(t)
	te.vars["SFECHO_PASSWORD"] = pw
	code, _ := te.doctor(t, ts.doctorArgs("--har", har, "--username", testUser, "--probe", "guest")...)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, te.stdout)
	}
	es := readHAR(t, har, cn)
	got := strings.Join(harSummary(es), ", ")
	for _, want := range []string{"GET /services/oauth2/echo 200", "GET /.well-known/openid-configuration 200",
		"POST /services/oauth2/authorize 400", "POST /services/oauth2/authorize 302", "POST /services/oauth2/token 200",
		"POST /services/oauth2/revoke 200"} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in %s", want, got)
		}
	}
	if len(es) != ts.Requests() {
		t.Errorf("%d entries for %d requests", len(es), ts.Requests())
	}
}
