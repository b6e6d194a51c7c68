package httplog

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func secret(k string) bool {
	switch k {
	case "password", "code", "access_token", "refresh_token", "otp":
		return true
	}
	return false
}

func TestTransportMasksSecrets(t *testing.T) {
	const canary = "CANARY-secret-9f1"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "https://cb.example/echo?code="+canary+"&state=s1")
		w.Header().Set("Set-Cookie", "sid="+canary)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"`+canary+`","nested":{"refresh_token":"`+canary+`"},"scope":"api"}`)
	}))
	defer srv.Close()
	var out bytes.Buffer
	c := &http.Client{Transport: &Transport{Out: &out, Secret: secret}}
	form := url.Values{"password": {canary}, "username": {"alice"}, "otp": {canary}}
	req, _ := http.NewRequest("POST", srv.URL+"/token?code="+canary, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("alice", canary)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(body), canary) {
		t.Errorf("the caller's body was altered: %s", body)
	}
	trace := out.String()
	if strings.Contains(trace, canary) {
		t.Errorf("trace leaks a secret:\n%s", trace)
	}
	for _, want := range []string{"> POST", "username=alice", "Authorization: Basic ****", `"scope":"api"`, "state=s1", "< HTTP/1.1 200 OK"} {
		if !strings.Contains(trace, want) {
			t.Errorf("trace lacks %q:\n%s", want, trace)
		}
	}
	if req.Header.Get("Authorization") == "Basic ****" {
		t.Error("the caller's request was modified")
	}
}

func TestTransportUnknownBodiesNotPrinted(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "CANARY-plain")
	}))
	defer srv.Close()
	var out bytes.Buffer
	c := &http.Client{Transport: &Transport{Out: &out, Secret: secret}}
	resp, err := c.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if strings.Contains(out.String(), "CANARY") || !strings.Contains(out.String(), "12 bytes of text/plain") {
		t.Errorf("trace = %s", out.String())
	}
}

func TestTransportTruncatedJSON(t *testing.T) {
	var out bytes.Buffer
	tr := &Transport{Out: &out, Secret: secret}
	got := tr.redactJSON([]byte(`{"access_token":"CANARY`))
	if strings.Contains(got, "CANARY") {
		t.Errorf("redactJSON leaked: %s", got)
	}
}
