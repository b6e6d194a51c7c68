package cli

import (
	"fmt"
	"net/url"
)

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

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
