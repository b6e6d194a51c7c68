package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sfecho/sfecho/internal/flow"
	"github.com/sfecho/sfecho/internal/safetext"
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
	if err := writeText(env.Out, tok, user, env.secrets()); err != nil {
		return err
	}
	_, err := fmt.Fprintln(env.Err, "sfecho: tokens are masked; use -o json, -o token or -o env to print them")
	return err
}

// writeJSON indents a raw JSON document, keeping its key order; characters
// a terminal would act on are written as JSON escapes (safetext.JSON).
func writeJSON(w io.Writer, raw []byte) error {
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		buf.Reset()
		buf.Write(raw)
	}
	_, err := io.WriteString(w, safetext.JSON(buf.String())+"\n")
	return err
}

// writeEnv prints export lines for eval, shell-quoted. A value with a
// control character (ESC, CR, U+009B, a bidi override) is refused, not
// printed: inside the quotes it would still reach the terminal, and
// escaping it would change what eval sets (issue 10).
func writeEnv(w io.Writer, tok *flow.Token) error {
	var b strings.Builder
	for _, kv := range [][2]string{
		{"SF_ACCESS_TOKEN", tok.AccessToken},
		{"SF_INSTANCE_URL", tok.InstanceURL},
		{"SF_COMMUNITY_URL", tok.CommunityURL},
	} {
		if !safetext.Clean(kv[1]) {
			return fail(ExitSecurity, "-o env: the site's value for "+kv[0]+" holds control characters; not printing it for eval",
				"the site's answer is malformed or hostile: check --site; -o json shows the answer with the characters escaped", nil)
		}
		fmt.Fprintf(&b, "export %s=%s\n", kv[0], shellQuote(kv[1]))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// shellQuote wraps s in single quotes, escaping embedded ones.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// writeText prints a human summary with every token masked: the value of
// a secret key at any depth of the answer, and any other value that
// repeats a secret the run knows (issue 10). Every value is escaped.
func writeText(w io.Writer, tok *flow.Token, user string, known *safetext.Secrets) error {
	var b strings.Builder
	if user != "" {
		fmt.Fprintf(&b, "Logged in as %s\n", displayText(known.Mask(user)))
	}
	keys := make([]string, 0, len(tok.Fields))
	for k := range tok.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := textValue(tok.Fields[k])
		switch {
		case flow.SecretParam(k):
			v = maskToken(v)
		case k == "issued_at":
			if t := tok.IssuedTime(); !t.IsZero() {
				v += " (" + t.UTC().Format(time.RFC3339) + ")"
			}
		default:
			v = known.Mask(v)
		}
		fmt.Fprintf(&b, "  %-20s %s\n", displayText(k), displayText(v))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// textValue prints one field of the answer: a string as is, anything else
// as compact JSON with the values of secret keys masked at any depth.
func textValue(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(safetext.MaskKeys(v, flow.SecretParam))
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
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
// newlines that could fake a line, bidi overrides that reorder it) are
// escaped visibly by safetext.Line (issue 10).
func displayText(s string) string { return safetext.Line(s) }
