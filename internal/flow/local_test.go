package flow

import (
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"
)

// followLocal is reached only through a Location that checkLocation has
// already matched to redirect_uri; these cases check its own guards.
func TestFollowLocalGuards(t *testing.T) {
	t.Parallel()
	c := &Client{HTTP: &http.Client{Timeout: 5 * time.Second}}
	srv, err := c.ListenLocal("the-state")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	follow := c.followLocal(srv)

	other, _ := url.Parse("http://127.0.0.1:1/services/oauth2/echo?code=c&state=the-state")
	if _, err := follow(t.Context(), other); !errors.Is(err, ErrOffsite) || KindOf(err) != KindSecurity {
		t.Errorf("another endpoint: err = %v; want ErrOffsite", err)
	}

	loc, _ := url.Parse(srv.URL() + "?code=c1&state=the-state")
	p, err := follow(t.Context(), loc)
	if err != nil || p["code"] != "c1" {
		t.Fatalf("first redirect: %v, %v", p, err)
	}
	// The endpoint accepts one redirect: a second one with the right
	// state means someone else holds it.
	if _, err := follow(t.Context(), loc); !errors.Is(err, ErrStateMismatch) || KindOf(err) != KindSecurity {
		t.Errorf("second redirect: err = %v; want a security error", err)
	}
}
