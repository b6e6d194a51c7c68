package cli

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sfecho/sfecho/internal/api"
	"github.com/sfecho/sfecho/internal/flow"
	"github.com/sfecho/sfecho/internal/safetext"
	"github.com/sfecho/sfecho/internal/session"
	"github.com/sfecho/sfecho/internal/store"
)

// apiOptions are the inputs of sfecho api.
type apiOptions struct {
	sess     sessionOptions
	Method   string
	Data     string
	Headers  []string
	Include  bool
	Query    string
	Paginate bool
	Version  string
	Instance bool
	Output   string
}

func newAPICmd(env *Env) *cobra.Command {
	o := &apiOptions{}
	cmd := &cobra.Command{
		Use:   "api PATH",
		Short: "Call a Salesforce API as the logged-in user (like gh api)",
		Long: `Make an HTTP request to the site's APIs with the saved session's access token and print
the answer's body on stdout: pretty JSON on a terminal, the bytes unchanged on a pipe.

PATH starting with / is used as given under the site URL (sfdc_community_url; --instance
for instance_url): /services/data/v62.0/sobjects, /services/apexrest/orders. A bare path
such as sobjects/Account or query?q=... is relative to /services/data/vNN.N/, where vNN.N
is --api-version or the newest version the site lists (asked once, saved in the session).
A full https:// URL is allowed only on the session's site or instance host: the token is
never sent anywhere else.

The token is refreshed first when it is about to expire, under the same lock and rules as
sfecho token. A 401 gets one refresh and one retry, never more.

A non-2xx answer still prints its body on stdout, and one line on stderr built from
Salesforce's error array. Exit 0 for 2xx; 4 when the session is gone or still refused after
the refresh (log in again); 1 for another 4xx; 6 for a 5xx or a network failure.`,
		Example: `  sfecho api sobjects/Account/001xx000003DGb2AAG
  sfecho api --query "SELECT Id, Name FROM Account" --paginate -o json
  sfecho api -X PATCH sobjects/Account/001xx000003DGb2AAG -d '{"Phone":"555-0100"}'
  sfecho api sobjects/Account -d @account.json
  jq -n '{Name: "Acme"}' | sfecho api sobjects/Account -d -
  sfecho api /services/apexrest/orders -H 'X-Request-Id: 42' -i`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.sess.resolve(cmd, env); err != nil {
				return err
			}
			req, err := o.request(cmd, env, args)
			if err != nil {
				return err
			}
			return runAPI(cmd.Context(), env, o, req)
		},
	}
	o.sess.addFlags(cmd, withValidity)
	fs := cmd.Flags()
	fs.StringVarP(&o.Method, "method", "X", "", "HTTP method (default GET, or POST with -d)")
	fs.StringVarP(&o.Data, "data", "d", "", "request body: a string, @file, or - for stdin (sent as JSON unless -H Content-Type says otherwise)")
	fs.StringArrayVarP(&o.Headers, "header", "H", nil, "extra request header 'Name: value' (repeatable)")
	fs.BoolVarP(&o.Include, "include", "i", false, "print the status line and response headers before the body")
	fs.StringVar(&o.Query, "query", "", "SOQL query: shorthand for the path query?q=...")
	fs.BoolVar(&o.Paginate, "paginate", false, "follow nextRecordsUrl and print every record: JSON lines, or one array with -o json")
	fs.StringVar(&o.Version, "api-version", "", "API version of bare paths, e.g. 62.0 (default: the newest the site lists)")
	fs.BoolVar(&o.Instance, "instance", false, "call the session's instance_url instead of sfdc_community_url")
	fs.StringVarP(&o.Output, "output", "o", "", "output format: json, text or raw (default text on a terminal, raw otherwise)")
	registerEnum(cmd, "output", "json", "text", "raw")
	return cmd
}

var methodShape = regexp.MustCompile(`^[A-Za-z]+$`)

// request checks the flags and builds the call, reading -d's file or stdin.
func (o *apiOptions) request(cmd *cobra.Command, env *Env, args []string) (*api.Request, error) {
	req := &api.Request{Method: strings.ToUpper(o.Method), Instance: o.Instance, Header: http.Header{}}
	switch {
	case len(args) == 1 && o.Query != "":
		return nil, usagef("give a PATH or --query, not both")
	case len(args) == 1:
		req.Path = args[0]
	case o.Query != "":
		req.Path = api.QueryPath(o.Query)
	default:
		return nil, usagef("give an API path, e.g. sfecho api sobjects/Account, or --query 'SELECT ...'")
	}
	if o.Method != "" && !methodShape.MatchString(o.Method) {
		return nil, usagef("-X %q is not an HTTP method", o.Method)
	}
	if _, err := apiFormat(env, o.Output); err != nil {
		return nil, err
	}
	for _, h := range o.Headers {
		name, value, ok := strings.Cut(h, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			return nil, usagef("-H %q: want 'Name: value'", h)
		}
		if !safetext.Clean(name) || !safetext.Clean(value) || strings.ContainsAny(name, "()<>@,;\\\"/[]?={}") {
			return nil, usagef("-H %s: a header name or value with control characters (CR, LF, …) cannot be sent", safetext.Line(name))
		}
		if strings.EqualFold(name, "Authorization") || strings.EqualFold(name, "Host") {
			return nil, usagef("-H %s: sfecho sets it itself (the token goes only to the session's hosts)", name)
		}
		req.Header.Add(name, strings.TrimSpace(value))
	}
	if cmd.Flags().Changed("data") {
		b, err := readData(cmd.Context(), env, o.Data)
		if err != nil {
			return nil, err
		}
		req.Body = b
	}
	return req, nil
}

// maxData bounds a request body from -d @file or -d -.
const maxData = 64 << 20

// readData reads -d: "-" is stdin (abandoned at Ctrl-C or SIGTERM: exit
// 130), "@file" a regular file (a FIFO or device is refused, not waited
// on), anything else the body itself. Either is at most 64 MiB.
func readData(ctx context.Context, env *Env, d string) ([]byte, error) {
	var r io.Reader
	switch {
	case d == "-":
		r = env.In
	case strings.HasPrefix(d, "@"):
		f, _, err := store.OpenRegular(d[1:])
		if err != nil {
			return nil, fail(ExitUsage, fmt.Sprintf("cannot read -d %s: %v", d, pathErr(err)), "", err)
		}
		defer f.Close()
		r = f
	default:
		return []byte(d), nil
	}
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		b, err := io.ReadAll(io.LimitReader(r, maxData+1))
		done <- result{b, err}
	}()
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case res := <-done:
		switch {
		case res.err != nil:
			return nil, fail(ExitUsage, fmt.Sprintf("-d %s: cannot read it: %v", d, res.err), "", res.err)
		case len(res.b) > maxData:
			return nil, usagef("-d %s: the body is larger than %d MiB", d, maxData>>20)
		}
		return res.b, nil
	}
}

func runAPI(ctx context.Context, env *Env, o *apiOptions, req *api.Request) error {
	format, _ := apiFormat(env, o.Output)
	m, err := o.sess.manager(env)
	if err != nil {
		return err
	}
	c, err := newAPIClient(env, o, m)
	if err != nil {
		return err
	}
	if !o.Paginate {
		resp, err := c.Do(ctx, req)
		if resp != nil {
			env.jsonErrors = false // the site's own answer is the output, error or not
			if werr := writeAPIResponse(env, format, o.Include, resp); werr != nil && err == nil {
				err = werr
			}
		}
		return err
	}
	return paginate(ctx, env, c, req, format, o.Include)
}

// newAPIClient builds the API client for the saved session: its site and
// instance URLs, this run's TLS and trace settings, and the session adapter.
func newAPIClient(env *Env, o *apiOptions, m *session.Manager) (*api.Client, error) {
	s, err := m.Load()
	if err != nil {
		return nil, sessionError(err, o.sess.app.Profile)
	}
	tokens := &sessionTokens{env: env, m: m}
	c := &api.Client{Tokens: tokens, Version: s.APIVersion, Remember: tokens.rememberVersion}
	if o.Version != "" {
		if c.Version, err = api.ParseVersion(o.Version); err != nil {
			return nil, err
		}
		c.Remember = nil
	}
	community := s.CommunityURL
	if community == "" {
		community = s.Site
	}
	if c.Community, err = sessionURL("sfdc_community_url", community); err != nil {
		return nil, err
	}
	if s.InstanceURL != "" {
		if c.Instance, err = sessionURL("instance_url", s.InstanceURL); err != nil {
			return nil, err
		}
	}
	fc, err := m.Client(s) // the session's site, CA file and secret, this run's TLS, timeout and -v
	if err != nil {
		return nil, err
	}
	c.HTTP = fc.HTTP
	return c, nil
}

// sessionURL parses a URL saved in the session: https, or http on loopback.
func sessionURL(what, raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil, usagef("the saved session's %s %q is not a URL: run sfecho login again", what, raw)
	}
	if err := flow.CheckScheme("the saved session's "+what, u); err != nil {
		return nil, err
	}
	return u, nil
}

// sessionTokens adapts the saved session to [api.Tokens]: a valid token
// under the same lock and rules as `sfecho token`, a forced refresh after a
// 401, and the discovered API version saved in the session (an Update:
// lock, re-read, change, save). It is the one place `sfecho api` touches
// the session.
type sessionTokens struct {
	env *Env
	m   *session.Manager
}

func (t *sessionTokens) Token(ctx context.Context) (string, error)   { return t.token(ctx, false) }
func (t *sessionTokens) Refresh(ctx context.Context) (string, error) { return t.token(ctx, true) }

func (t *sessionTokens) token(ctx context.Context, force bool) (string, error) {
	s, _, err := t.m.Valid(ctx, force)
	if err != nil {
		return "", sessionError(err, t.m.Profile)
	}
	return s.AccessToken, nil
}

// rememberVersion saves the API version in the session. Best effort: a
// failure is a warning.
func (t *sessionTokens) rememberVersion(ctx context.Context, v string) {
	_, err := t.m.Update(ctx, func(s *store.Session) (session.Action, error) {
		s.APIVersion = v
		return session.Save, nil
	})
	if err != nil {
		t.env.warnf("could not save the API version in the session: %v", err)
	}
}
