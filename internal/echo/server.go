package echo

import (
	"context"
	"errors"
	"log"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults for [Options].
const (
	DefaultAddr = "127.0.0.1:0"
	DefaultPath = "/services/oauth2/echo"
)

// Options configures the local echo endpoint.
type Options struct {
	// Addr is the host:port to listen on. The host must be a loopback
	// address (127.0.0.0/8 or ::1) or "localhost", which binds 127.0.0.1 but
	// keeps "localhost" in [Server.URL], since apps register loopback
	// callbacks as http://localhost:PORT/... (protocol.md §10). Port 0 picks
	// a free port. Default DefaultAddr.
	Addr string
	// Path is where the endpoint answers; every other path is 404. It must
	// start with "/". Default DefaultPath.
	Path string
	// State, when not empty, is the only state accepted: a redirect without
	// exactly this state is answered 400 and reported as rejected, and the
	// wait goes on. Default: any state, or none.
	State string
	// Once makes the endpoint accept a single redirect; later ones are
	// answered 410 Gone. Default false (every redirect is accepted).
	Once bool
	// Logf receives one line per event (accepted, rejected, server errors),
	// never with a parameter value. It is called from the handler
	// goroutines, so it must be safe for concurrent use. Default: discard.
	Logf func(format string, args ...any)
}

func (o Options) withDefaults() Options {
	if o.Addr == "" {
		o.Addr = DefaultAddr
	}
	if o.Path == "" {
		o.Path = DefaultPath
	}
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
	return o
}

// Timeouts of the local server: a browser sends a redirect in one short
// request, so anything slower is a stuck or hostile client.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 10 * time.Second
	writeTimeout      = 10 * time.Second
	idleTimeout       = 30 * time.Second
	shutdownTimeout   = 500 * time.Millisecond
	// captureBuffer redirects wait in the channel for a slow reader before
	// the handler blocks (and the browser waits) until one is read.
	captureBuffer = 16
)

// ErrClosed is returned by [Server.Wait] once the server is closed.
var ErrClosed = errors.New("echo server closed")

// Server is a running local echo endpoint, listening on loopback. It is
// safe for concurrent use; call [Server.Close] when done.
type Server struct {
	url    string
	addr   net.Addr
	srv    *http.Server
	logf   func(string, ...any)
	ch     chan Capture
	done   chan struct{} // closed by Close: stop delivering
	served chan struct{} // closed when Serve returns
	serr   error         // Serve's error, readable once served is closed

	mu       sync.Mutex
	rejectMu sync.Mutex // one rejected capture at a time checks for room
	closing  bool
	inflight sync.WaitGroup // handlers that may still deliver
	active   atomic.Int64   // handlers running now (for tests)

	closeOnce sync.Once
	closeErr  error
}

// Listen binds opts.Addr now, so the port and [Server.URL] are known at
// once, and starts serving in the background. It refuses a non-loopback
// address with [ErrNotLoopback] and reports a busy port with
// [ErrAddrInUse] (errors.md B1).
func Listen(opts Options) (*Server, error) {
	opts = opts.withDefaults()
	if len(opts.Path) == 0 || opts.Path[0] != '/' {
		return nil, errors.New("echo path must start with /")
	}
	bind, urlHost, err := loopbackAddr(opts.Addr)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", bind)
	if err != nil {
		return nil, listenError(opts.Addr, err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	s := &Server{
		url:    "http://" + net.JoinHostPort(urlHost, port) + opts.Path,
		addr:   ln.Addr(),
		logf:   opts.Logf,
		ch:     make(chan Capture, captureBuffer),
		done:   make(chan struct{}),
		served: make(chan struct{}),
	}
	s.srv = s.newHTTPServer(opts)
	go s.serve(ln)
	return s, nil
}

// newHTTPServer builds the http.Server: its own mux, exact-path routing,
// timeouts, and server errors sent to Logf rather than the standard logger.
func (s *Server) newHTTPServer(opts Options) *http.Server {
	h := newHandler(opts, s.deliver)
	mux := http.NewServeMux()
	mux.Handle("/", s.track(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != opts.Path {
			http.NotFound(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})))
	return &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          log.New(logfWriter(s.logf), "echo: ", 0),
	}
}

func (s *Server) serve(ln net.Listener) {
	defer close(s.served)
	err := s.srv.Serve(ln)
	if !errors.Is(err, http.ErrServerClosed) {
		s.logf("echo: server stopped: %v", err)
		s.serr = err
	}
}

// track counts handlers in flight so that Close can close the capture
// channel only after the last one is done with it.
func (s *Server) track(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		if s.closing {
			s.mu.Unlock()
			reply(w, r, http.StatusServiceUnavailable, errorJSON("temporarily_unavailable", "the endpoint is shutting down"), closingPage)
			return
		}
		s.inflight.Add(1)
		s.active.Add(1)
		s.mu.Unlock()
		defer s.inflight.Done()
		defer s.active.Add(-1)
		h.ServeHTTP(w, r)
	})
}

// deliver hands c to the reader of Redirects (or Wait), waiting while the
// buffer is full, and gives up when the server closes. A rejected capture
// is news, not a result: it never waits, and it is dropped unless it leaves
// a place in the buffer free, so that a flood of foreign redirects cannot
// hold up the one with the login's own state.
func (s *Server) deliver(c Capture) bool {
	if c.Rejected != "" {
		s.rejectMu.Lock()
		defer s.rejectMu.Unlock()
		if len(s.ch) >= cap(s.ch)-1 {
			return false
		}
		select {
		case s.ch <- c:
			return true
		default:
			return false
		}
	}
	select {
	case s.ch <- c:
		return true
	case <-s.done:
		return false
	}
}

// URL returns the endpoint's address, such as
// http://127.0.0.1:43123/services/oauth2/echo, with the host as Options.Addr
// gave it (localhost stays localhost) and the port actually bound.
func (s *Server) URL() string { return s.url }

// Addr returns the address the server is bound to (loopback only), which
// sfecho echo serve prints beside the URL.
func (s *Server) Addr() net.Addr { return s.addr }

// Redirects returns the channel on which every redirect with parameters is
// delivered, accepted or rejected (see [Capture.Rejected]), in arrival
// order; a rejected one that would fill the buffer is dropped. It is closed by [Server.Close]. Read either this channel or
// [Server.Wait], not both.
func (s *Server) Redirects() <-chan Capture { return s.ch }

// Wait returns the first accepted redirect, skipping rejected ones. It
// returns ctx's error when ctx ends first, and [ErrClosed] (or the error
// that stopped the server) when the server stops first. An error redirect
// (error=access_denied) is an accepted redirect: inspect Capture.Params.
func (s *Server) Wait(ctx context.Context) (Capture, error) {
	served := s.served
	for {
		select {
		case <-ctx.Done():
			return Capture{}, ctx.Err()
		case <-served:
			if s.serr != nil {
				return Capture{}, s.serr
			}
			served = nil // stopped by Close, which closes s.ch next
		case c, ok := <-s.ch:
			if !ok {
				return Capture{}, ErrClosed
			}
			if c.Rejected == "" {
				return c, nil
			}
		}
	}
}

// Close stops the server: it refuses new requests, lets requests in flight
// finish for up to half a second, then closes every connection, waits for
// the handlers and the serving goroutine to return, and closes the
// [Server.Redirects] channel. Redirects already buffered stay readable.
// Close is idempotent.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		close(s.done)
		s.mu.Lock()
		s.closing = true
		s.mu.Unlock()
		// Close has no caller context (it is an io.Closer); the timeout
		// bounds the graceful part.
		ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		if err := s.srv.Shutdown(ctx); err != nil {
			s.closeErr = s.srv.Close()
		}
		s.inflight.Wait()
		<-s.served
		close(s.ch)
	})
	return s.closeErr
}

// logfWriter adapts Logf to the io.Writer that log.Logger needs.
type logfWriter func(string, ...any)

func (f logfWriter) Write(p []byte) (int, error) {
	f("%s", string(trimNewline(p)))
	return len(p), nil
}

func trimNewline(p []byte) []byte {
	if n := len(p); n > 0 && p[n-1] == '\n' {
		return p[:n-1]
	}
	return p
}
