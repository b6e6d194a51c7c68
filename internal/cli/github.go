package cli

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/sfecho/sfecho/internal/flow"
)

// The -o github format (issue 14) is for a GitHub Actions step. Its stdout
// holds only workflow commands: one ::add-mask:: per secret of the token
// response, printed before anything else, so that the runner masks the
// values in every later log line. The values themselves go to the file
// named by $GITHUB_OUTPUT, as the step outputs access_token, instance_url
// and community_url.

// githubOutputEnv names the step-output file the runner provides.
const githubOutputEnv = "GITHUB_OUTPUT"

// checkGitHubOutput refuses -o github outside a GitHub Actions step, before
// anything is sent.
func checkGitHubOutput(env *Env) error {
	if env.getenv(githubOutputEnv) == "" {
		return usagef("-o github writes the step outputs to $GITHUB_OUTPUT, which is not set: run it in a GitHub Actions step, or use -o env")
	}
	return nil
}

// githubSecrets lists every secret value of tok: the access, refresh and
// ID tokens, and any other field of the response whose name marks it as a
// secret (flow.SecretParam), each once, in a stable order.
func githubSecrets(tok *flow.Token) []string {
	seen := map[string]bool{}
	var out []string
	add := func(v string) {
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	add(tok.AccessToken)
	add(tok.RefreshToken)
	add(tok.IDToken)
	keys := make([]string, 0, len(tok.Fields))
	for k := range tok.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if s, ok := tok.Fields[k].(string); ok && flow.SecretParam(k) {
			add(s)
		}
	}
	return out
}

// writeGitHub prints the ::add-mask:: lines on env.Out and then appends the
// outputs to $GITHUB_OUTPUT.
func writeGitHub(env *Env, tok *flow.Token) error {
	path := env.getenv(githubOutputEnv)
	if path == "" {
		return checkGitHubOutput(env)
	}
	var masks strings.Builder
	for _, s := range githubSecrets(tok) {
		// A value is masked line by line by the runner; tokens have no
		// line breaks, but a mask must never print a value unmasked.
		for _, line := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' }) {
			fmt.Fprintf(&masks, "::add-mask::%s\n", escapeWorkflowData(line))
		}
	}
	if _, err := io.WriteString(env.Out, masks.String()); err != nil {
		return err
	}
	outputs, err := githubOutputs([][2]string{
		{"access_token", tok.AccessToken},
		{"instance_url", tok.InstanceURL},
		{"community_url", tok.CommunityURL},
	})
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o600)
	if err != nil {
		return fail(ExitUsage, fmt.Sprintf("open $%s: %v", githubOutputEnv, err), "", err)
	}
	if _, err := io.WriteString(f, outputs); err != nil {
		f.Close()
		return fail(ExitError, fmt.Sprintf("write $%s: %v", githubOutputEnv, err), "", err)
	}
	if err := f.Close(); err != nil {
		return fail(ExitError, fmt.Sprintf("write $%s: %v", githubOutputEnv, err), "", err)
	}
	_, err = fmt.Fprintf(env.Err, "sfecho: step outputs access_token, instance_url and community_url written to $%s (masked in logs)\n", githubOutputEnv)
	return err
}

// githubOutputs formats name=value lines for $GITHUB_OUTPUT. A value with a
// line break (none is expected) uses the runner's multi-line form
// name<<DELIMITER … DELIMITER, with a random delimiter that is not in the
// value, so no value can smuggle in another output.
func githubOutputs(kvs [][2]string) (string, error) {
	var b strings.Builder
	for _, kv := range kvs {
		name, v := kv[0], kv[1]
		if !strings.ContainsAny(v, "\r\n") {
			fmt.Fprintf(&b, "%s=%s\n", name, v)
			continue
		}
		var d string
		for d == "" || strings.Contains(v, d) {
			var r [16]byte
			if _, err := rand.Read(r[:]); err != nil {
				return "", err
			}
			d = "ghadelimiter_" + hex.EncodeToString(r[:])
		}
		fmt.Fprintf(&b, "%s<<%s\n%s\n%s\n", name, d, v, d)
	}
	return b.String(), nil
}

// escapeWorkflowData escapes a workflow command's data as the runner
// expects (%, CR and LF).
func escapeWorkflowData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}
