package sim

import (
	"encoding/json"
	"html/template"
	"net/http"
)

// writeJSON answers status with v as JSON. Headers go before WriteHeader.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"server_error"}`)
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// oauthError is Salesforce's OAuth error body (protocol.md §11).
type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// fail answers 400 JSON {"error","error_description"}.
func fail(w http.ResponseWriter, code, desc string) {
	writeJSON(w, http.StatusBadRequest, oauthError{code, desc})
}

// failStatus answers status with an OAuth error body.
func failStatus(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, oauthError{code, desc})
}

func writeText(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/plain;charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

func writeHTML(w http.ResponseWriter, status int, t *template.Template, data any) {
	w.Header().Set("Content-Type", "text/html;charset=UTF-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = t.Execute(w, data)
}

var notFoundPage = template.Must(template.New("404").Parse(`<!DOCTYPE html>
<html><head><title>Page Not Found</title></head>
<body><h1>Page Not Found</h1><p>The page you were looking for does not exist on this site (sfecho simulated Experience Cloud site).</p></body></html>
`))

// notFound answers the site's HTML 404 page (errors.md N2, E4).
func notFound(w http.ResponseWriter) { writeHTML(w, http.StatusNotFound, notFoundPage, nil) }

// statusWriter remembers the status code for the request log. Unwrap lets
// http.ResponseController reach the connection (Hijack, Flush).
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) status() int {
	if w.code == 0 {
		return http.StatusOK
	}
	return w.code
}
