package echo

import (
	"bytes"
	"html/template"
	"strings"
)

// page is an HTML answer for a person whose browser followed the redirect.
// html/template escapes every field, and no page ever shows a code or state.
type page struct {
	Title  string
	Lines  []string
	Fields []field
}

// field is one name/value pair a page shows, such as error_description.
type field struct{ Name, Value string }

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{.Title}} · sfecho</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:38em;margin:4em auto;padding:0 1em;color:#222}
h1{font-size:1.4em}dt{font-weight:600}dd{margin:0 0 .6em}code{background:#f2f2f2;padding:0 .2em;word-break:break-all}</style>
</head><body>
<h1>{{.Title}}</h1>
{{range .Lines}}<p>{{.}}</p>
{{end}}{{with .Fields}}<dl>{{range .}}<dt>{{.Name}}</dt><dd><code>{{.Value}}</code></dd>{{end}}</dl>
{{end}}</body></html>
`))

// render executes the page template; the template is fixed and its data is
// plain strings, so it cannot fail in practice.
func (p page) render() []byte {
	var b bytes.Buffer
	if err := pageTmpl.Execute(&b, p); err != nil {
		return []byte("<!doctype html><title>sfecho</title><p>" + template.HTMLEscapeString(p.Title))
	}
	return b.Bytes()
}

// acceptedPage is shown for a redirect the endpoint took: success when it
// carries a code, an explanation when it carries an error, and the names
// (not values) of what it carries otherwise.
func acceptedPage(p Params) page {
	if e, ok := p["error"]; ok {
		pg := page{Title: "Sign-in failed",
			Lines:  []string{"The site sent an error instead of an authorization code. Details are in your terminal too."},
			Fields: []field{{"error", e}}}
		if d := p["error_description"]; d != "" {
			pg.Fields = append(pg.Fields, field{"error_description", d})
		}
		if hint := ExplainError(e); hint != "" {
			pg.Lines = append(pg.Lines, "What it usually means: "+hint+".")
		}
		return pg
	}
	if _, ok := p["code"]; ok {
		return page{Title: "Signed in — you can close this tab",
			Lines: []string{"sfecho received the authorization code. Return to your terminal."}}
	}
	return page{Title: "Redirect received — you can close this tab",
		Lines: []string{"sfecho received a redirect without an authorization code. Parameter names (values are in your terminal): " +
			strings.Join(sortedKeys(p), ", ") + "."}}
}

// Pages for the answers that are not an accepted redirect.
var (
	rejectedPage = page{Title: "Sign-in link refused",
		Lines: []string{"This redirect's state does not match the sign-in sfecho is waiting for, so it was ignored.",
			"Start the sign-in again from your terminal, and do not reuse old sign-in links."}}
	gonePage = page{Title: "Already received — you can close this tab",
		Lines: []string{"sfecho has already received a redirect on this address and accepts only one; this one was ignored."}}
	noParamsPage = page{Title: "No redirect parameters",
		Lines: []string{"This is sfecho's local echo endpoint. It expects the redirect of an OAuth sign-in, such as ?code=…&state=…."}}
	closingPage = page{Title: "sfecho is shutting down",
		Lines: []string{"The redirect arrived while sfecho was stopping and was not used. Start the sign-in again."}}
)
