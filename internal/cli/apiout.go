package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/sfecho/sfecho/internal/api"
	"github.com/sfecho/sfecho/internal/safetext"
)

// apiFormat validates api's -o: text (pretty, terminal-safe) on a
// terminal, raw (the bytes unchanged) otherwise.
func apiFormat(env *Env, s string) (string, error) {
	switch s {
	case "":
		if env.OutTTY {
			return "text", nil
		}
		return "raw", nil
	case "json", "text", "raw":
		return s, nil
	}
	return "", usagef("-o must be json, text or raw, not %q", s)
}

// writeAPIResponse prints an answer: with include, its status line and
// headers first; then its body.
func writeAPIResponse(env *Env, format string, include bool, resp *api.Response) error {
	var b bytes.Buffer
	if include {
		writeHead(&b, resp)
	}
	writeBody(&b, format, resp.Body)
	return writeOut(env, format, b.Bytes())
}

// writeOut writes to stdout. Only raw is the bytes as received; text and
// json, meant to be read, have the run's secrets masked (the site may echo
// the bearer token) and characters a terminal would act on escaped: as
// JSON escapes in a JSON document, visibly in anything else.
func writeOut(env *Env, format string, b []byte) error {
	if format != "raw" {
		s := env.secrets().Mask(string(b))
		if format == "json" && json.Valid([]byte(s)) {
			s = safetext.JSON(s)
		} else {
			s = terminalText(s)
		}
		b = []byte(s)
	}
	_, err := env.Out.Write(b)
	return err
}

// writeHead writes the status line and the headers, sorted, then a blank
// line, as curl -i does.
func writeHead(b *bytes.Buffer, resp *api.Response) {
	fmt.Fprintf(b, "%s %s\n", resp.Proto, resp.Status)
	keys := make([]string, 0, len(resp.Header))
	for k := range resp.Header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range resp.Header[k] {
			fmt.Fprintf(b, "%s: %s\n", k, v)
		}
	}
	b.WriteByte('\n')
}

// writeBody writes a body: raw as received; json and text indented when it
// is JSON, with a final newline.
func writeBody(b *bytes.Buffer, format string, body []byte) {
	if len(body) == 0 || format == "raw" || !json.Valid(body) {
		b.Write(body)
		if format == "text" && len(body) > 0 && body[len(body)-1] != '\n' {
			b.WriteByte('\n')
		}
		return
	}
	_ = json.Indent(b, body, "", "  ") // valid, so it cannot fail
	b.WriteByte('\n')
}

// terminalText is displayText for text of several lines: newlines and tabs
// stay, other control characters become "?".
func terminalText(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		cells := strings.Split(strings.TrimSuffix(l, "\r"), "\t")
		for j, c := range cells {
			cells[j] = displayText(c)
		}
		lines[i] = strings.Join(cells, "\t")
	}
	return strings.Join(lines, "\n")
}

// maxMerged bounds what --paginate -o json holds in memory for its one
// array; JSON lines (no -o json) stream instead.
const maxMerged = 256 << 20

// paginate prints every record of a query across its pages: one compact
// JSON record per line as each page arrives, or with -o json one array at
// the end. An answer that is not a query answer is printed as it is.
func paginate(ctx context.Context, env *Env, c *api.Client, req *api.Request, format string, include bool) error {
	merged, sawQuery, size := []json.RawMessage{}, false, 0
	resp, err := c.Paginate(ctx, req, func(r *api.Response) error {
		var b bytes.Buffer
		if include {
			writeHead(&b, r)
		}
		recs, _, ok := api.Records(r.Body)
		switch {
		case !ok:
			writeBody(&b, format, r.Body)
		case format == "json":
			if size += len(r.Body); size > maxMerged {
				return fail(ExitError, fmt.Sprintf("--paginate -o json: more than %d MiB of records to hold at once", maxMerged>>20),
					"drop -o json to print one JSON line per record as each page arrives", nil)
			}
			merged, sawQuery = append(merged, recs...), true
		default:
			for _, rec := range recs {
				_ = json.Compact(&b, rec) // valid: it was decoded as JSON
				b.WriteByte('\n')
			}
		}
		return writeOut(env, format, b.Bytes())
	})
	if err != nil {
		if resp != nil {
			env.jsonErrors = false // the site's own answer is the output
			if werr := writeAPIResponse(env, format, include, resp); werr != nil {
				env.warnf("could not print the answer: %v", werr)
			}
		}
		return err
	}
	if sawQuery {
		out, err := json.Marshal(merged)
		if err != nil {
			return err
		}
		return writeJSON(env.Out, out)
	}
	return nil
}
