package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/sfecho/sfecho/internal/safetext"
	"github.com/spf13/cobra"
)

// The output contract (README, "Output"): every command that prints data
// takes -o; json and text everywhere, token, header and env wherever there
// are tokens. Without -o: text on a terminal, JSON otherwise — unless the
// command's whole job is one value (sfecho token prints the token). A
// format a command cannot print is exit 2, never silently JSON. With -o
// json a failure also prints {"error": {...}} on stdout.

// output is one command's -o flag.
type output struct {
	Value   string
	formats []string
	def     string // the default without -o; "" = text on a terminal, json otherwise
}

// addFlag registers -o with the formats the command can print; def is its
// default ("" for the terminal rule).
func (o *output) addFlag(cmd *cobra.Command, def string, formats ...string) {
	o.formats, o.def = formats, def
	d := "default text on a terminal, json otherwise"
	if def != "" {
		d = "default " + def
	}
	cmd.Flags().StringVarP(&o.Value, "output", "o", "", "output format: "+strings.Join(formats, ", ")+" ("+d+")")
	registerEnum(cmd, "output", formats...)
}

// resolve returns the format to print in: -o, else the default. An
// explicit -o json also makes a failure print its JSON error object on
// stdout (as the sf CLI does with --json); a default never does, so that
// $(sfecho ...) captures nothing on failure.
func (o *output) resolve(env *Env) (string, error) {
	f := o.Value
	if f == "" {
		f = o.def
	}
	if f == "" {
		f = "json"
		if env.OutTTY {
			f = "text"
		}
	}
	if !slices.Contains(o.formats, f) {
		return "", usagef("-o must be %s, not %q", orList(o.formats), f)
	}
	env.jsonErrors = o.Value == "json"
	if f == "github" {
		return f, checkGitHubOutput(env)
	}
	return f, nil
}

// only narrows the formats for one mode of a command (--init-only prints
// no tokens): a format outside them is exit 2.
func (o *output) only(env *Env, mode string, formats ...string) error {
	f, err := o.resolve(env)
	if err != nil {
		return err
	}
	if !slices.Contains(formats, f) {
		return usagef("%s prints no tokens: -o must be %s, not %q", mode, orList(formats), f)
	}
	return nil
}

func orList(v []string) string {
	if len(v) < 2 {
		return strings.Join(v, "")
	}
	return strings.Join(v[:len(v)-1], ", ") + " or " + v[len(v)-1]
}

// errorKinds name the exit codes in the JSON error object.
var errorKinds = map[int]string{
	ExitError: "unexpected", ExitUsage: "usage", ExitRejected: "rejected", ExitNoSession: "no_session",
	ExitSetup: "setup", ExitNetwork: "network", ExitSecurity: "security", ExitInterrupted: "interrupted",
}

// jsonError is the error object a script reads on stdout.
type jsonError struct {
	Message  string `json:"message"`
	Hint     string `json:"hint,omitempty"`
	ExitCode int    `json:"exit_code"`
	Kind     string `json:"kind"`
}

// errorObject describes err for scripts, with the same text as stderr.
func errorObject(code int, err error, known *safetext.Secrets) jsonError {
	msg, hint := errorText(code, err, known)
	return jsonError{Message: msg, Hint: hint, ExitCode: code, Kind: errorKinds[code]}
}

// writeJSONError prints {"error": {...}} on w, masked as stderr is.
func writeJSONError(w io.Writer, code int, err error, known *safetext.Secrets) {
	b, _ := json.Marshal(map[string]jsonError{"error": errorObject(code, err, known)})
	fmt.Fprintf(w, "%s\n", b)
}

// silenced reports whether err ends the run without a message.
func silenced(err error) bool {
	var ce *Error
	return errors.As(err, &ce) && ce.Silent
}

// writeFields prints a JSON document as aligned "key value" lines for a
// terminal: nested objects as dotted keys, arrays by index, keys sorted.
// Values whose key secret reports are masked; every value passes
// displayText.
func writeFields(w io.Writer, raw []byte, secret func(key string) bool) error {
	var doc any
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		_, err := fmt.Fprintln(w, displayText(string(raw)))
		return err
	}
	var rows [][2]string
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch t := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(t))
			for k := range t {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				walk(joinKey(prefix, k), t[k])
			}
		case []any:
			for i, e := range t {
				walk(joinKey(prefix, fmt.Sprint(i)), e)
			}
		default:
			s := fmt.Sprint(t)
			if t == nil {
				s = "null"
			}
			last := prefix[strings.LastIndex(prefix, ".")+1:]
			if secret != nil && (secret(last) || secret(prefix)) {
				s = maskToken(s)
			}
			rows = append(rows, [2]string{prefix, s})
		}
	}
	walk("", doc)
	width := 0
	for _, r := range rows {
		width = max(width, len(r[0]))
	}
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "%-*s  %s\n", width, displayText(r[0]), displayText(r[1]))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func joinKey(prefix, k string) string {
	if prefix == "" {
		return k
	}
	return prefix + "." + k
}

// writeValue prints v as indented JSON.
func writeValue(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", safetext.JSON(string(b)))
	return err
}
