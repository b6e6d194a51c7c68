package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/sfecho/sfecho/internal/flow"
)

// writeToken prints a token response in the asked-for format.
func writeToken(env *Env, format string, tok *flow.Token, user string) error {
	switch format {
	case "json":
		return writeJSON(env.Out, tok.Raw)
	case "token":
		_, err := fmt.Fprintln(env.Out, tok.AccessToken)
		return err
	case "env":
		return writeEnv(env.Out, tok)
	case "github":
		return writeGitHub(env, tok)
	}
	if err := writeText(env.Out, tok, user); err != nil {
		return err
	}
	_, err := fmt.Fprintln(env.Err, "sfecho: tokens are masked; use -o json, -o token or -o env to print them")
	return err
}

// writeJSON indents a raw JSON document, keeping its key order.
func writeJSON(w io.Writer, raw []byte) error {
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		buf.Reset()
		buf.Write(raw)
	}
	buf.WriteByte('\n')
	_, err := w.Write(buf.Bytes())
	return err
}

// writeEnv prints export lines for eval, shell-quoted.
func writeEnv(w io.Writer, tok *flow.Token) error {
	var b strings.Builder
	for _, kv := range [][2]string{
		{"SF_ACCESS_TOKEN", tok.AccessToken},
		{"SF_INSTANCE_URL", tok.InstanceURL},
		{"SF_COMMUNITY_URL", tok.CommunityURL},
	} {
		fmt.Fprintf(&b, "export %s=%s\n", kv[0], shellQuote(kv[1]))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// shellQuote wraps s in single quotes, escaping embedded ones.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// writeText prints a human summary with every token masked.
func writeText(w io.Writer, tok *flow.Token, user string) error {
	var b strings.Builder
	if user != "" {
		fmt.Fprintf(&b, "Logged in as %s\n", user)
	}
	keys := make([]string, 0, len(tok.Fields))
	for k := range tok.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := fmt.Sprint(tok.Fields[k])
		switch {
		case flow.SecretParam(k):
			v = maskToken(v)
		case k == "issued_at":
			if t := tok.IssuedTime(); !t.IsZero() {
				v += " (" + t.UTC().Format(time.RFC3339) + ")"
			}
		}
		fmt.Fprintf(&b, "  %-20s %s\n", displayText(k), displayText(v))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// maskToken keeps a short prefix (Salesforce tokens start with the org id)
// and the length, never enough to use.
func maskToken(v string) string {
	if len(v) <= 12 {
		return "****"
	}
	return v[:5] + "…(" + fmt.Sprint(len(v)) + " chars)"
}

// registerEnum adds shell completion for a flag with fixed values.
func registerEnum(cmd *cobra.Command, flag string, values ...string) {
	_ = cmd.RegisterFlagCompletionFunc(flag, func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return values, cobra.ShellCompDirectiveNoFileComp
	})
}

// displayText makes a value the site sent safe for a terminal: control
// characters (escape sequences that could retitle or clear the terminal,
// newlines that could fake a line) are shown as "?".
func displayText(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return '?'
		}
		return r
	}, s)
}
