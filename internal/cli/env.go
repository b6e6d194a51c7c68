package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/pkg/browser"
	"golang.org/x/term"

	"github.com/sfecho/sfecho/internal/lineread"
	"github.com/sfecho/sfecho/internal/safetext"
)

// Env is everything a command may touch outside the process: the standard
// streams, the environment, the terminal, the browser and the clock. Tests
// build one with fakes; [System] wires the real ones.
type Env struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
	// InTTY and OutTTY report whether stdin/stdout are terminals.
	InTTY, OutTTY bool
	Getenv        func(string) string
	// ReadSecret reads a line from the terminal without echo, after
	// printing prompt on Err.
	ReadSecret func(prompt string) (string, error)
	// OpenBrowser opens a URL in the user's browser; its output must not
	// reach Out.
	OpenBrowser func(url string) error
	Now         func() time.Time
	// ConfigDir holds config.toml and saved sessions
	// ($SFECHO_CONFIG_DIR, else os.UserConfigDir()/sfecho).
	ConfigDir string
	// Exe is the sfecho binary, for commands that start themselves.
	Exe             string
	Version, Commit string
	// Date is the build date stamped by the release build (RFC 3339).
	Date string

	stdin          *lineread.Reader
	warnedInsecure bool    // --insecure warns once per run, however many clients
	jsonErrors     bool    // the run prints JSON: a failure prints its JSON error on stdout too
	har            *harRun // --har: this run's recorder (har.go)
	// ctx is the run's context, set by Run, so that a read of stdin ends
	// at Ctrl-C or SIGTERM.
	ctx context.Context
	// known holds every secret of the run, masked in all that is printed
	// on stderr; see secrets.
	known *safetext.Secrets
}

// System returns the Env of the real process.
func System(version, commit string) *Env {
	exe, _ := os.Executable()
	// The launcher's own chatter ("www-browser: not found") stays off both
	// streams: sfecho prints the URL and says itself when no browser starts.
	browser.Stdout, browser.Stderr = io.Discard, io.Discard

	e := &Env{
		In: os.Stdin, Out: os.Stdout, Err: os.Stderr,
		InTTY:       term.IsTerminal(int(os.Stdin.Fd())),
		OutTTY:      term.IsTerminal(int(os.Stdout.Fd())),
		Getenv:      os.Getenv,
		OpenBrowser: detach(browser.OpenURL, 2*time.Second),
		Now:         time.Now,
		ConfigDir:   resolveConfigDir(os.Getenv), // SFECHO_CONFIG_DIR or os.UserConfigDir()/sfecho
		Exe:         exe,
		Version:     version, Commit: commit,
	}
	// net/http logs protocol oddities through the standard logger, quoting
	// what the site sent ("Unsolicited response received on idle HTTP
	// channel starting with …"): a hostile site can make it repeat a
	// request's credentials. Every such line goes through the masker.
	log.SetFlags(0)
	log.SetOutput(libraryLog{e})
	e.ReadSecret = func(prompt string) (string, error) {
		fmt.Fprint(e.Err, prompt)
		s, err := readPasswordInterruptible(int(os.Stdin.Fd()))
		fmt.Fprintln(e.Err)
		return s, err
	}
	return e
}

// readPasswordInterruptible reads a line without echo. Ctrl-C (which
// main's signal.NotifyContext turns into a cancelled context, not a dead
// process) restores the terminal and returns context.Canceled at once,
// instead of waiting for Enter.
func readPasswordInterruptible(fd int) (string, error) {
	state, err := term.GetState(fd)
	if err != nil {
		return "", err
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		b, err := term.ReadPassword(fd)
		done <- result{b, err}
	}()
	select {
	case r := <-done:
		return string(r.b), r.err
	case <-sig:
		_ = term.Restore(fd, state)
		return "", context.Canceled
	}
}

// readLine reads the next line of stdin without its line ending. Spaces
// are kept: a password may hold them (protocol.md §1: do not trim). A line
// is at most 64 KiB ([lineread.MaxLine]); the read ends at once when the
// run is interrupted.
func (e *Env) readLine() (string, error) {
	if e.stdin == nil {
		e.stdin = lineread.New(e.In, lineread.MaxLine)
	}
	ctx := e.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	line, err := e.stdin.ReadLine(ctx)
	switch {
	case errors.Is(err, io.EOF):
		return "", errors.New("stdin ended before a line was read")
	case errors.Is(err, lineread.ErrTooLong):
		return "", errLineTooLong
	}
	return line, err
}

// errLineTooLong refuses a stdin line over [lineread.MaxLine] (issue 10).
var errLineTooLong = fmt.Errorf("the line on stdin is longer than %d KiB", lineread.MaxLine>>10)

// secrets returns the set of the run's secrets: what sfecho read, and what
// crossed the wire (httplog.Learner). Everything printed on stderr is
// masked with it.
func (e *Env) secrets() *safetext.Secrets {
	if e.known == nil {
		e.known = &safetext.Secrets{}
		// The secrets the environment holds are known from the start,
		// whether or not this command reads them.
		for _, k := range secretVars {
			e.known.Add(strings.TrimSpace(e.getenv(k)))
		}
	}
	return e.known
}

// secretVars are the environment variables that hold secrets.
var secretVars = []string{"SFECHO_PASSWORD", "SFECHO_NEW_PASSWORD", "SFECHO_OTP", "SFECHO_CLIENT_SECRET",
	"SFECHO_INIT_TOKEN", "SFECHO_UVID_TOKEN", "SFECHO_RECAPTCHA"}

// getenv reads an environment variable; a nil Getenv means none are set.
func (e *Env) getenv(k string) string {
	if e.Getenv == nil {
		return ""
	}
	return e.Getenv(k)
}

// warnf prints a warning line; what it formats may hold text from
// outside, so the line is masked and escaped (issue 10).
func (e *Env) warnf(format string, args ...any) {
	fmt.Fprintf(e.Err, "sfecho: warning: %s\n", e.secrets().Line(fmt.Sprintf(format, args...)))
}

// detach runs a browser launcher without waiting for the browser: pkg/browser
// runs xdg-open (or open, or rundll32) and waits for it, and where that
// starts the browser in the foreground (none was running yet, or a
// terminal browser) a login would hang until the user closed it. The
// launcher's answer is awaited for at most grace (a launcher that fails,
// fails at once); after that it is reaped in the background. Its output
// never reaches stdout (see System).
func detach(open func(string) error, grace time.Duration) func(string) error {
	return func(url string) error {
		done := make(chan error, 1)
		go func() { done <- open(url) }()
		select {
		case err := <-done:
			return err
		case <-time.After(grace):
			return nil // still running: the browser is up
		}
	}
}

// libraryLog writes what libraries log as one masked, escaped warning.
type libraryLog struct{ e *Env }

func (l libraryLog) Write(p []byte) (int, error) {
	l.e.warnf("%s", strings.TrimSpace(string(p)))
	return len(p), nil
}
