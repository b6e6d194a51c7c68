package sim

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"sort"
	"strings"
)

// APIVersion is one entry of the REST API's version list, GET
// /services/data/.
type APIVersion struct {
	Label   string `json:"label"`
	URL     string `json:"url"`
	Version string `json:"version"`
}

// apiVersions are the versions the site lists, oldest first, with
// Salesforce's release names.
var apiVersions = []struct{ label, version string }{
	{"Summer '23", "58.0"}, {"Winter '24", "59.0"}, {"Spring '24", "60.0"},
	{"Summer '24", "61.0"}, {"Winter '25", "62.0"}, {"Spring '25", "63.0"},
	{"Summer '25", "64.0"},
}

// NewestAPIVersion is the newest version the site lists ("64.0").
var NewestAPIVersion = apiVersions[len(apiVersions)-1].version

// restError is one entry of Salesforce's REST error array.
type restError struct {
	Message   string   `json:"message"`
	ErrorCode string   `json:"errorCode"`
	Fields    []string `json:"fields,omitempty"`
}

// writeREST answers status with v as JSON, as the REST API writes it:
// "&", "<" and ">" as they are, not as \u0026 (Go's default).
func writeREST(w http.ResponseWriter, status int, v any) {
	b, err := marshalREST(v)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, []restError{{Message: "cannot encode the answer", ErrorCode: "UNKNOWN_EXCEPTION"}})
		return
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func marshalREST(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// failREST answers status with a one-entry REST error array, the shape every
// REST API error has: [{"message":…,"errorCode":…}].
func failREST(w http.ResponseWriter, status int, code, msg string, fields ...string) {
	writeREST(w, status, []restError{{Message: msg, ErrorCode: code, Fields: fields}})
}

// notFoundREST is the REST API's 404 for an unknown resource or record.
func notFoundREST(w http.ResponseWriter) {
	failREST(w, http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
}

// methodNotAllowed is the REST API's 405, naming the allowed methods.
func methodNotAllowed(w http.ResponseWriter, r *http.Request, allowed ...string) {
	w.Header().Set("Allow", strings.Join(allowed, ", "))
	failREST(w, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED",
		"HTTP Method '"+r.Method+"' not allowed. Allowed are "+strings.Join(allowed, ","))
}

// restRoute matches the REST routes, under the prefix or at the root.
func (s *Site) restRoute(path string) (string, handlerFunc) {
	for _, r := range s.restRoutes() {
		if _, ok := s.restPath(path, r.path); ok {
			return r.name, r.h
		}
	}
	return "", nil
}

// restPath returns what follows base in path ("" or "/…"), path being under
// the site prefix or at the origin's root.
func (s *Site) restPath(path, base string) (string, bool) {
	if rest, ok := strings.CutPrefix(path, s.cfg.PathPrefix); ok && strings.HasPrefix(rest, "/") {
		path = rest
	}
	rest, ok := strings.CutPrefix(path, base)
	return rest, ok && (rest == "" || rest[0] == '/')
}

// restAuth finds the request's live access token. Anything else — none,
// unknown, expired, revoked, a refresh token, or a session without the api
// scope — gets 401 INVALID_SESSION_ID (errors.md U2), as every REST
// resource answers.
func (s *Site) restAuth(w http.ResponseWriter, r *http.Request) (tokenView, bool) {
	t, ok := s.liveToken(bearer(r))
	msg := "Session expired or invalid"
	if ok && !hasScope(t.scope, "api") && !hasScope(t.scope, "full") {
		ok, msg = false, "This session is not valid for use with the REST API"
	}
	if !ok {
		w.Header().Set("WWW-Authenticate", "Token")
		failREST(w, http.StatusUnauthorized, "INVALID_SESSION_ID", msg)
	}
	return t, ok
}

// data serves the REST API under /services/data: the version list (no
// session needed, as on Salesforce), and under /vNN.N/ the resources map,
// query with nextRecordsUrl paging, sobjects/Account and chatter/users/me.
func (s *Site) data(w http.ResponseWriter, r *http.Request) {
	rest, _ := s.restPath(r.URL.Path, "/services/data")
	if rest == "" || rest == "/" {
		s.versions(w, r)
		return
	}
	t, ok := s.restAuth(w, r)
	if !ok {
		return
	}
	ver, sub, _ := strings.Cut(rest[1:], "/")
	v, ok := strings.CutPrefix(ver, "v")
	if !ok || !knownVersion(v) {
		notFoundREST(w)
		return
	}
	sub = strings.TrimSuffix(sub, "/")
	switch {
	case sub == "":
		s.resources(w, r, v)
	case sub == "query":
		s.query(w, r, t, v)
	case strings.HasPrefix(sub, "query/"):
		s.queryMore(w, r, t, strings.TrimPrefix(sub, "query/"))
	case sub == "sobjects":
		s.describeGlobal(w, r)
	case strings.HasPrefix(sub, "sobjects/"):
		s.sobject(w, r, v, strings.TrimPrefix(sub, "sobjects/"))
	case sub == "chatter/users/me":
		s.chatterMe(w, r, t, v)
	default:
		notFoundREST(w)
	}
}

func knownVersion(v string) bool {
	for _, av := range apiVersions {
		if av.version == v {
			return true
		}
	}
	return false
}

// versions serves GET /services/data/: every version, oldest first.
func (s *Site) versions(w http.ResponseWriter, r *http.Request) {
	if !getOnly(w, r) {
		return
	}
	out := make([]APIVersion, len(apiVersions))
	for i, av := range apiVersions {
		out[i] = APIVersion{Label: av.label, URL: "/services/data/v" + av.version, Version: av.version}
	}
	writeREST(w, http.StatusOK, out)
}

// resources serves GET /services/data/vNN.N/: the resources of a version.
func (s *Site) resources(w http.ResponseWriter, r *http.Request, v string) {
	if !getOnly(w, r) {
		return
	}
	base := "/services/data/v" + v + "/"
	m := map[string]string{}
	for _, k := range []string{"chatter", "composite", "connect", "limits", "query", "queryAll", "recent",
		"search", "sobjects", "tooling", "ui-api"} {
		m[k] = base + k
	}
	writeREST(w, http.StatusOK, m)
}

// describeGlobal serves GET sobjects: the objects the site knows.
func (s *Site) describeGlobal(w http.ResponseWriter, r *http.Request) {
	if !getOnly(w, r) {
		return
	}
	writeREST(w, http.StatusOK, map[string]any{"encoding": "UTF-8", "maxBatchSize": 200,
		"sobjects": []map[string]any{{"name": "Account", "label": "Account", "keyPrefix": "001",
			"queryable": true, "createable": true, "updateable": true}}})
}

// chatterMe serves GET chatter/users/me: the session's user.
func (s *Site) chatterMe(w http.ResponseWriter, r *http.Request, t tokenView, v string) {
	if !getOnly(w, r) {
		return
	}
	u := User{Username: "guest", FirstName: "Site Guest", LastName: "User"}
	if t.user != nil {
		u = *t.user
	}
	m := &member{User: u}
	writeREST(w, http.StatusOK, map[string]any{
		"id": t.userID, "username": u.Username, "firstName": u.FirstName, "lastName": u.LastName,
		"name": fullName(m), "displayName": fullName(m), "communityNickname": nickname(m),
		"email": u.Email, "isActive": true, "type": "User", "userType": "Portal",
		"url": "/services/data/v" + v + "/chatter/users/" + t.userID,
	})
}

// apexREST serves /services/apexrest/…: an echo of what a custom Apex REST
// class would receive — method, path, query and body — for the session's
// user. It never echoes headers, so the token stays out of the answer.
func (s *Site) apexREST(w http.ResponseWriter, r *http.Request) {
	t, ok := s.restAuth(w, r)
	if !ok {
		return
	}
	rest, _ := s.restPath(r.URL.Path, "/services/apexrest")
	b, err := io.ReadAll(r.Body)
	if err != nil {
		failREST(w, http.StatusRequestEntityTooLarge, "REQUEST_TOO_LARGE", "the request body is too large")
		return
	}
	var body any
	if len(b) > 0 && json.Unmarshal(b, &body) != nil {
		body = string(b)
	}
	q := map[string][]string(r.URL.Query())
	writeREST(w, http.StatusOK, map[string]any{"method": r.Method, "path": rest, "query": q,
		"body": body, "userId": t.userID})
}

// getOnly answers 405 to anything but GET and HEAD.
func getOnly(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	methodNotAllowed(w, r, "GET", "HEAD")
	return false
}

// readObject reads a JSON object request body. A Content-Type other than
// JSON is 415, anything but an object 400 JSON_PARSER_ERROR.
func readObject(w http.ResponseWriter, r *http.Request) (map[string]any, bool) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, _ := mime.ParseMediaType(ct); mt != "application/json" {
			failREST(w, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE",
				"Content-Type header specified in HTTP request is not supported: "+mt)
			return nil, false
		}
	}
	var m map[string]any
	b, err := io.ReadAll(r.Body)
	if err == nil {
		err = json.Unmarshal(b, &m)
	}
	if err != nil || m == nil {
		failREST(w, http.StatusBadRequest, "JSON_PARSER_ERROR", "The request body is not a JSON object")
		return nil, false
	}
	return m, true
}

// sortedKeys returns m's keys in order, for deterministic errors.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
