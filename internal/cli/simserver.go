package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/sfecho/sfecho/internal/sim"
)

// simServer is a simulated site served on loopback.
type simServer struct {
	URL    string // site URL, prefix included
	CAPEM  []byte // the self-signed certificate, with TLS
	srv    *http.Server
	ln     net.Listener
	served chan error
}

// startSim serves site on addr (loopback only), over TLS with a fresh
// self-signed certificate when useTLS is set.
func startSim(site *sim.Site, addr, prefix string, useTLS bool) (*simServer, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, usagef("--addr %q: %v", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, usagef("--addr must be a loopback address such as 127.0.0.1:8443, not %q", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, &Error{Code: ExitUsage, Msg: "cannot listen on " + addr + ": " + errText(err),
			Advice: "choose another port with --addr"}
	}
	s := &simServer{ln: ln, served: make(chan error, 1),
		srv: &http.Server{Handler: site, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
			WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute}}
	scheme := "http"
	if useTLS {
		cert, pem, err := sim.SelfSignedCert([]string{"127.0.0.1", "localhost", "::1"})
		if err != nil {
			ln.Close()
			return nil, err
		}
		s.CAPEM = pem
		s.srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12,
			NextProtos: []string{"h2", "http/1.1"}}
		s.ln = tls.NewListener(ln, s.srv.TLSConfig)
		scheme = "https"
	}
	s.URL = scheme + "://" + ln.Addr().String() + prefix
	go func() { s.served <- s.srv.Serve(s.ln) }()
	return s, nil
}

// Close stops the server, waiting briefly for requests in flight.
func (s *simServer) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil {
		s.srv.Close()
	}
	if err := <-s.served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func errText(err error) string {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return oe.Err.Error()
	}
	return err.Error()
}
