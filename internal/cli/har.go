package cli

import (
	"net/http"
	"os"

	"github.com/spf13/cobra"

	"github.com/sfecho/sfecho/internal/flow"
	"github.com/sfecho/sfecho/internal/httplog"
)

// harFlagHelp is the help line of the persistent --har flag.
const harFlagHelp = "write every HTTP request and response of this run to `FILE` as HAR 1.2, secrets masked as with -v"

// harRun is this run's --har recorder and the file it is written to when
// the command ends, whether it succeeded or not.
type harRun struct {
	rec  *httplog.HAR
	path string
	f    *os.File
}

// startHAR opens the --har file before the command runs, so that a path
// that cannot be written fails at once (exit 2), before any request.
func startHAR(cmd *cobra.Command, env *Env) error {
	env.har = nil
	path, _ := cmd.Flags().GetString("har")
	if path == "" {
		return nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return usagef("cannot write --har: %v", pathErr(err))
	}
	env.har = &harRun{path: path, f: f,
		rec: &httplog.HAR{Secret: flow.SecretParam, Creator: "sfecho", Version: env.Version, Known: env.secrets()}}
	return nil
}

// harTransport makes rt record into this run's HAR, if there is one.
func (e *Env) harTransport(rt http.RoundTripper) http.RoundTripper {
	if e.har == nil {
		return rt
	}
	return e.har.rec.Wrap(rt)
}

// finishHAR writes the HAR file and returns the command's error; a HAR
// that cannot be written fails a command that otherwise succeeded.
func finishHAR(env *Env, err error) error {
	h := env.har
	if h == nil {
		return err
	}
	env.har = nil
	_, werr := h.rec.WriteTo(h.f)
	if cerr := h.f.Close(); werr == nil {
		werr = cerr
	}
	switch {
	case werr == nil:
		return err
	case err == nil:
		return fail(ExitError, "cannot write --har "+h.path+": "+werr.Error(), "", werr)
	}
	env.warnf("cannot write --har %s: %v", h.path, werr)
	return err
}
