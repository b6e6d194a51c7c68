package echo

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// Errors from [Listen], for errors.Is.
var (
	// ErrNotLoopback means Options.Addr is not a loopback address: the
	// endpoint receives authorization codes, so it never listens where
	// another machine could reach it.
	ErrNotLoopback = errors.New("not a loopback address (use 127.0.0.1, ::1 or localhost)")
	// ErrAddrInUse means another process holds the port (errors.md B1).
	ErrAddrInUse = errors.New("port already in use")
	// ErrPortForbidden means the system refused the port: privileged, or
	// reserved by Windows (errors.md B2).
	ErrPortForbidden = errors.New("port not permitted (privileged or reserved)")
)

// loopbackAddr checks that addr is host:port on loopback and returns the
// address to bind and the host to show in URLs. "localhost" binds 127.0.0.1
// rather than whatever the resolver says (protocol.md §10: register
// localhost, bind 127.0.0.1).
func loopbackAddr(addr string) (bind, urlHost string, err error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", "", fmt.Errorf("address %q: want host:port, such as 127.0.0.1:8080", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return "", "", fmt.Errorf("address %q: port must be a number from 0 to 65535", addr)
	}
	switch ip := net.ParseIP(host); {
	case host == "":
		return "", "", fmt.Errorf("address %q listens on every interface: %w", addr, ErrNotLoopback)
	case strings.EqualFold(host, "localhost"):
		return net.JoinHostPort("127.0.0.1", port), host, nil
	case ip == nil || !ip.IsLoopback():
		return "", "", fmt.Errorf("address %q: %w", addr, ErrNotLoopback)
	}
	return net.JoinHostPort(host, port), host, nil
}

// listenError names the usual reasons a bind fails, keeping the system's
// error in the chain for errors.As.
func listenError(addr string, err error) error {
	switch {
	case isAddrInUse(err):
		return fmt.Errorf("listen on %s: %w", addr, joinCause(ErrAddrInUse, err))
	case isPortForbidden(err):
		return fmt.Errorf("listen on %s: %w", addr, joinCause(ErrPortForbidden, err))
	}
	return fmt.Errorf("listen on %s: %w", addr, err)
}

// causeError shows its sentinel's message but unwraps to both the sentinel
// and the system error.
type causeError struct{ sentinel, cause error }

func joinCause(sentinel, cause error) error { return &causeError{sentinel, cause} }
func (e *causeError) Error() string         { return e.sentinel.Error() }
func (e *causeError) Unwrap() []error       { return []error{e.sentinel, e.cause} }
