package flow

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Fuzz targets for every parser of what a site sends back (design.md: "fuzz
// targets exist for every parser of outside input"). Each must never panic,
// and error messages must stay on one line.

func FuzzParseToken(f *testing.F) {
	f.Add([]byte(`{"access_token":"00D!AQ","issued_at":"1667600739962","id":"https://x/id/00D/005","signature":"CPk2"}`))
	f.Add([]byte(`{"access_token":"00D","issued_at":1667600739962}`))
	f.Add([]byte(`{"access_token":`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		tok, err := ParseToken(body)
		if err != nil {
			return
		}
		_ = tok.IssuedTime()
		_ = tok.VerifySignature("secret")
	})
}

func FuzzResponseError(f *testing.F) {
	f.Add(400, "application/json", `{"error":"invalid_grant","error_description":"authentication failure"}`)
	f.Add(401, "application/json", `[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]`)
	f.Add(200, "text/html", `<html>login</html>`)
	f.Add(503, "", ``)
	f.Add(302, "", ``)
	f.Fuzz(func(t *testing.T, status int, ctype, body string) {
		if status < 100 || status > 999 {
			return
		}
		req, _ := http.NewRequest("POST", "https://acme.my.site.com/services/oauth2/token", nil)
		resp := &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {ctype}, "Location": {body}},
			Request: req, Body: io.NopCloser(bytes.NewReader(nil))}
		err := responseError(OpExchange, resp, []byte(body))
		if msg := err.Error(); strings.ContainsAny(msg, "\n\r") {
			t.Errorf("multi-line error %q", msg)
		}
	})
}

func FuzzJWTExpiry(f *testing.F) {
	f.Add("eyJhbGciOiJub25lIn0.eyJleHAiOjE3MDAwMDAwMDB9.")
	f.Add("00D!AQ.opaque")
	f.Add("a.b.c")
	f.Fuzz(func(t *testing.T, tok string) {
		_, _ = JWTExpiry(tok)
		_ = IDTokenUsername(tok)
	})
}

func FuzzCheckCode(f *testing.F) {
	f.Add("https://acme.my.site.com/services/oauth2/echo?code=aPrx%3D%3D&state=s1&sfdc_community_url=https%3A%2F%2Facme.my.site.com")
	f.Add("https://cb.example/x#error=access_denied&state=s1")
	f.Add("https://acme.my.site.com/services/oauth2/echo?code=%&state=s1")
	site, _ := ParseSite("https://acme.my.site.com")
	c := &Client{Site: site, ClientID: "x"}
	f.Fuzz(func(t *testing.T, raw string) {
		loc, err := url.Parse(raw)
		if err != nil {
			return
		}
		p, err := queryParams(OpAuthorize, loc)
		if err != nil {
			return
		}
		if _, err := c.checkCode(OpAuthorize, "s1", p); err != nil && strings.ContainsAny(err.Error(), "\n\r") {
			t.Errorf("multi-line error %q", err)
		}
	})
}
