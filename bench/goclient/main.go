// Command goclient is the smallest Go program that does sfecho's headless
// login, for bench/run.sh to compare against: PKCE (S256), a random state,
// authorize with Basic credentials and Auth-Request-Type: Named-User, the
// code read from the 302's Location, and the token exchange; the same TLS
// setup as sfecho (the system roots plus a CA file). No flags, no checks
// beyond the state, no saving. It prints the access token.
//
//	SITE=https://127.0.0.1:8443 CLIENT_ID=… USERNAME_=… SFECHO_PASSWORD=… CA=sim.pem goclient
package main

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

func main() {
	tok, err := login(os.Getenv("SITE"), os.Getenv("CLIENT_ID"), os.Getenv("USERNAME_"),
		os.Getenv("SFECHO_PASSWORD"), os.Getenv("CA"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "goclient:", err)
		os.Exit(1)
	}
	fmt.Println(tok)
}

func login(site, clientID, user, password, caFile string) (string, error) {
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return "", err
		}
		pool.AppendCertsFromPEM(pem)
	}
	c := &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse // the 302 is the answer
		},
	}

	verifier := random(64)
	sum := sha256.Sum256([]byte(verifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])
	state := random(16)
	redirect := site + "/services/oauth2/echo"

	form := url.Values{"response_type": {"code_credentials"}, "client_id": {clientID},
		"redirect_uri": {redirect}, "state": {state}, "code_challenge": {challenge}}
	req, err := http.NewRequest(http.MethodPost, site+"/services/oauth2/authorize", strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Auth-Request-Type", "Named-User")
	req.SetBasicAuth(user, password)
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	loc, err := resp.Location()
	if err != nil {
		return "", fmt.Errorf("authorize: %s without Location", resp.Status)
	}
	q := loc.Query()
	if q.Get("state") != state {
		return "", errors.New("state mismatch")
	}
	tokenURL := site
	if cu := q.Get("sfdc_community_url"); cu != "" {
		tokenURL = cu
	}

	form = url.Values{"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "client_id": {clientID},
		"redirect_uri": {redirect}, "code_verifier": {verifier}}
	resp, err = c.PostForm(tokenURL+"/services/oauth2/token", form)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var t struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&t); err != nil || t.AccessToken == "" {
		return "", fmt.Errorf("token: %s", resp.Status)
	}
	return t.AccessToken, nil
}

// random returns n random bytes, hex-encoded (2n characters, all unreserved).
func random(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
