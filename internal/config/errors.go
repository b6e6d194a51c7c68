package config

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// Error is a problem in the config file, with the line where it was found
// (0 when unknown). It prints as "path:line: message", the form editors and
// terminals turn into a link.
type Error struct {
	Path string
	Line int
	Msg  string
}

// Error returns "path:line: message".
func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Path, e.Msg)
}

// tomlLineRE matches the position BurntSushi/toml puts in its type errors:
// `toml: line 3 (last key "profiles.ci.site"): incompatible types: ...`.
var tomlLineRE = regexp.MustCompile(`^toml: (?:line (\d+) )?(?:\(last key "([^"]*)"\): )?(.*)$`)

// decodeError turns a toml decoding error into an [*Error].
func decodeError(path string, data []byte, err error) error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		msg := pe.Message
		if pe.LastKey != "" {
			msg = pe.LastKey + ": " + msg
		}
		return &Error{Path: path, Line: pe.Position.Line, Msg: msg}
	}
	m := tomlLineRE.FindStringSubmatch(err.Error())
	if m == nil {
		return &Error{Path: path, Msg: err.Error()}
	}
	line, _ := strconv.Atoi(m[1])
	msg := m[3]
	if m[2] != "" {
		msg = m[2] + ": " + msg
	}
	if strings.Contains(msg, "incompatible types") && m[2] == "profiles" {
		msg = "profiles must be tables: [profiles.NAME]"
	}
	return &Error{Path: path, Line: line, Msg: msg}
}

// unknownKeyError reports a key the file should not have, with advice for
// the likely mistakes.
func unknownKeyError(path string, data []byte, k toml.Key) error {
	msg := fmt.Sprintf("unknown key %q", k.String())
	switch {
	case len(k) == 3 && k[0] == "profiles" && k[2] == "client_secret":
		msg += ": the config file holds no secrets; put the secret in a file and set client_secret_file"
	case len(k) == 3 && k[0] == "profiles":
		msg += " (keys: " + keyList() + ")"
	case len(k) >= 1 && k[0] == "profile":
		msg += ": profile tables are named [profiles.NAME]"
	case len(k) >= 1 && k[0] != "profiles":
		msg += ": settings go in a profile table, [profiles.NAME]"
	}
	return &Error{Path: path, Line: findLine(data, k), Msg: msg}
}

// findLine returns the line where key k is defined in data, or 0. The
// toml package gives no positions for keys after decoding, so this is a
// best-effort scan: it tracks [table] headers and matches "a.b = value"
// lines, which covers hand-written profile files.
func findLine(data []byte, k toml.Key) int {
	var table []string
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || line[0] == '#':
			continue
		case line[0] == '[':
			end := strings.IndexByte(line, ']')
			if end < 0 {
				continue
			}
			table = splitKey(strings.TrimPrefix(line[1:end], "["))
			if slices.Equal(table, []string(k)) {
				return i + 1
			}
		default:
			eq := strings.IndexByte(line, '=')
			if eq < 0 {
				continue
			}
			full := append(append([]string{}, table...), splitKey(line[:eq])...)
			if slices.Equal(full, []string(k)) {
				return i + 1
			}
		}
	}
	return 0
}

// splitKey splits a dotted TOML key and removes quotes around its parts;
// good enough for finding lines, not a TOML parser.
func splitKey(s string) []string {
	var parts []string
	var cur strings.Builder
	var quote rune
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '"' || r == '\'':
			quote = r
		case r == '.':
			parts = append(parts, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteRune(r)
		}
	}
	return append(parts, strings.TrimSpace(cur.String()))
}
