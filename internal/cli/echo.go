package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sfecho/sfecho/internal/echo"
)

func newEchoCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "echo",
		Short: "Decode redirect parameters, or run a local echo endpoint",
		Long: `Debug redirects: what did that 302 really carry? "echo decode" turns a redirect URL into
the JSON object Salesforce's /services/oauth2/echo endpoint returns; "echo serve" runs a
local copy of that endpoint on loopback and prints every redirect it receives.`,
		Example: `  sfecho echo decode 'https://acme.my.site.com/services/oauth2/echo?code=aPrx%3D%3D&state=s1'
  sfecho echo serve --addr 127.0.0.1:1717 --once`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newEchoDecodeCmd(env), newEchoServeCmd(env))
	return cmd
}

// echoDecodeOptions are the inputs of sfecho echo decode.
type echoDecodeOptions struct {
	Input string // the URL, or "-" for stdin
	State string
	out   output
}

func newEchoDecodeCmd(env *Env) *cobra.Command {
	o := &echoDecodeOptions{}
	cmd := &cobra.Command{
		Use:   "decode URL|-",
		Short: "Decode a redirect URL into the JSON the echo endpoint would return",
		Long: `Decode a redirect URL (its query, or its fragment for "#error=..." redirects) into the JSON
object Salesforce's echo endpoint returns: the first value of each parameter, decoded, with
"+" as a space and %3D%3D as "==". With "-" the URL is read from stdin; a pasted
"Location:" header line works too.

Decoding is lenient: one malformed percent-escape does not stop the other parameters. Each
problem is reported on stderr, naming the parameter: malformed escapes, repeated keys, an
error/error_description pair (explained), a missing code, and with --state a missing or
different state. No code or token value is ever printed on stderr.

Exit 0 when parameters were decoded (a missing or different state is a warning: the
command decodes, it does not act on the code), 2 when the input is not a URL with
parameters.`,
		Example: `  sfecho echo decode 'https://acme.my.site.com/services/oauth2/echo?code=aPrx%3D%3D&state=s1&sfdc_community_id=0DB5e'
  sfecho echo decode --state s1 'http://localhost:1717/OauthRedirect?code=aPrx%3D%3D&state=s1' | jq -r .code
  curl -s -o /dev/null -w '%{redirect_url}\n' ... | sfecho echo decode -`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("echo decode takes one redirect URL, or - to read it from stdin")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Input = args[0]
			return runEchoDecode(cmd.Context(), env, o)
		},
	}
	cmd.Flags().StringVar(&o.State, "state", "", "the state the redirect must carry (a warning names any difference)")
	o.out.addFlag(cmd, "", "json", "text")
	return cmd
}

func runEchoDecode(_ context.Context, env *Env, o *echoDecodeOptions) error {
	format, err := o.out.resolve(env)
	if err != nil {
		return err
	}
	raw := o.Input
	if raw == "-" {
		if raw, err = readRedirect(env.In); err != nil {
			return err
		}
	}
	r, err := echo.Parse(raw)
	if err != nil {
		return usagef("echo decode: %v", err)
	}
	if format == "text" {
		err = writeFields(env.Out, r.Params.JSON(), nil)
	} else {
		_, err = fmt.Fprintln(env.Out, string(r.Params.JSON()))
	}
	if err != nil {
		return err
	}
	// Every problem, a state mismatch included, is a warning: the command's
	// job is to decode, and it did (exit 0 when parameters were
	// decoded). Login, which acts on the code, exits 7 instead.
	for _, p := range r.Check(o.State) {
		env.warnf("%s", p)
	}
	return nil
}

// readRedirect reads the URL to decode from stdin (at most 1 MiB): the one
// non-empty line, or from a pasted header block the "Location:" line.
func readRedirect(in io.Reader) (string, error) {
	b, err := io.ReadAll(io.LimitReader(in, 1<<20))
	if err != nil {
		return "", fmt.Errorf("read stdin: %w", err)
	}
	var lines []string
	for l := range strings.Lines(string(b)) {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		if h := strings.TrimSpace(strings.TrimPrefix(l, "<")); len(h) > 9 && strings.EqualFold(h[:9], "location:") {
			return h, nil
		}
		lines = append(lines, l)
	}
	switch len(lines) {
	case 0:
		return "", usagef("echo decode: stdin is empty; give the redirect URL")
	case 1:
		return lines[0], nil
	}
	return "", usagef("echo decode: stdin holds %d lines and no Location: header; give one redirect URL", len(lines))
}

// echoServeOptions are the inputs of sfecho echo serve.
type echoServeOptions struct {
	Addr, Path, State string
	Once              bool
}

func newEchoServeCmd(env *Env) *cobra.Command {
	o := &echoServeOptions{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run a local echo endpoint on loopback and print each redirect it receives",
		Long: `Serve a local copy of Salesforce's /services/oauth2/echo endpoint on a loopback address.
It answers each redirect with its parameters as JSON (with CORS headers and the preflight,
like the site's), or with a short page when a browser asks for HTML, and prints one JSON
line per redirect on stdout (pipe it to jq). Its URL is printed on stderr when it is ready;
register that URL as a callback on the app to capture redirects in a browser.

With --state only redirects carrying exactly that state are accepted; others are answered
400 and reported on stderr. With --once it exits after the first accepted redirect.
Problems with a redirect (malformed escapes, error redirects) are warnings on stderr.`,
		Example: `  sfecho echo serve --addr 127.0.0.1:1717 --path /OauthRedirect --once | jq -r .code
  sfecho echo serve --state "$STATE" --once`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runEchoServe(cmd.Context(), env, o) },
	}
	fs := cmd.Flags()
	fs.StringVar(&o.Addr, "addr", echo.DefaultAddr, "loopback host:port to listen on (127.0.0.1, ::1 or localhost; port 0 picks one)")
	fs.StringVar(&o.Path, "path", echo.DefaultPath, "path of the endpoint; every other path answers 404")
	fs.StringVar(&o.State, "state", "", "accept only redirects with this state")
	fs.BoolVar(&o.Once, "once", false, "exit after the first accepted redirect")
	return cmd
}

func runEchoServe(ctx context.Context, env *Env, o *echoServeOptions) error {
	srv, err := echo.Listen(echo.Options{Addr: o.Addr, Path: o.Path, State: o.State, Once: o.Once})
	if err != nil {
		return listenFailure(o.Addr, err)
	}
	defer srv.Close()
	fmt.Fprintf(env.Err, "echo: listening at %s (bound to %s; Ctrl-C to stop)\n", srv.URL(), srv.Addr())
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case c, ok := <-srv.Redirects():
			if !ok {
				return nil
			}
			if c.Rejected != "" {
				env.warnf("refused a redirect: %s", c.Rejected)
				continue
			}
			for _, p := range c.Problems {
				env.warnf("%s", p)
			}
			if _, err := fmt.Fprintln(env.Out, string(c.Params.JSON())); err != nil {
				return err
			}
			if o.Once {
				return nil
			}
		}
	}
}

// listenFailure turns a Listen error into a usage error with the advice of
// errors.md B1/B2.
func listenFailure(addr string, err error) error {
	_, port, _ := net.SplitHostPort(addr)
	switch {
	case errors.Is(err, echo.ErrAddrInUse):
		return &Error{Code: ExitUsage, Msg: "echo serve: " + err.Error(),
			Advice: fmt.Sprintf("port %s is in use: stop that process or choose another port in --addr", port)}
	case errors.Is(err, echo.ErrPortForbidden):
		return &Error{Code: ExitUsage, Msg: "echo serve: " + err.Error(),
			Advice: fmt.Sprintf("port %s is privileged or reserved (on Windows: netsh int ipv4 show excludedportrange protocol=tcp): pick another", port)}
	}
	return usagef("echo serve: --addr: %v", err)
}
