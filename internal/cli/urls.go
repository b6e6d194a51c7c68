package cli

import (
	"fmt"
	"net/url"
)

// parseAbsURL parses a URL that must carry a scheme and a host.
func parseAbsURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, err
	}
	if u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("not absolute")
	}
	return u, nil
}
