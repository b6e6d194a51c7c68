package sim

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
)

// accountFields are the Account fields the site knows, in describe order.
var accountFields = []string{"Id", "Name", "Type", "Industry", "BillingCity", "Phone"}

// account is one Account record: field name (as in accountFields) to a
// string, or nil for an empty field (JSON null, as Salesforce sends it).
type account map[string]any

// sampleAccounts is the fixed data set every site starts with: the sample
// accounts of a Salesforce developer org.
func sampleAccounts() []account {
	rows := [][]string{
		{"Edge Communications", "Customer - Direct", "Electronics", "Austin", "(512) 757-6000"},
		{"Burlington Textiles Corp of America", "Customer - Direct", "Apparel", "Burlington", "(336) 222-7000"},
		{"Pyramid Construction Inc.", "Customer - Channel", "Construction", "Paris", "(014) 427-4427"},
		{"Dickenson plc", "Customer - Channel", "Consulting", "Lawrence", "(785) 241-6200"},
		{"Grand Hotels & Resorts Ltd", "Customer - Direct", "Hospitality", "Chicago", "(312) 596-1000"},
		{"United Oil & Gas Corp.", "Customer - Direct", "Energy", "New York", "(212) 842-5500"},
		{"Express Logistics and Transport", "Customer - Channel", "Transportation", "Portland", "(503) 421-7800"},
	}
	out := make([]account, len(rows))
	for i, row := range rows {
		out[i] = account{"Id": accountID(i + 1), "Name": row[0], "Type": row[1], "Industry": row[2],
			"BillingCity": row[3], "Phone": row[4]}
	}
	return out
}

// accountID returns the 18-character ID of the n-th account.
func accountID(n int) string { return fmt.Sprintf("0015g000%07dAAA", n) }

// accountField returns the canonical name of an Account field, matched
// case-insensitively as Salesforce does, or "".
func accountField(name string) string {
	for _, f := range accountFields {
		if strings.EqualFold(f, name) {
			return f
		}
	}
	return ""
}

// findAccount returns the account with id (18 characters, or its
// 15-character prefix). Caller holds s.mu.
func (st *state) findAccount(id string) account {
	if len(id) != 15 && len(id) != 18 {
		return nil
	}
	for _, a := range st.accounts {
		if full := a["Id"].(string); full == id || full[:15] == id {
			return a
		}
	}
	return nil
}

// record is a record as the REST API prints it: "attributes" first, then
// the fields in the order asked for.
type record struct {
	keys []string
	vals []any
}

func (r record) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range r.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := marshalREST(k)
		vb, err := marshalREST(r.vals[i])
		if err != nil {
			return nil, err
		}
		b.Write(kb)
		b.WriteByte(':')
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// project returns a's fields (canonical names) with its attributes.
func (a account) project(v string, fields []string) record {
	r := record{keys: []string{"attributes"}, vals: []any{map[string]string{
		"type": "Account", "url": "/services/data/v" + v + "/sobjects/Account/" + a["Id"].(string)}}}
	for _, f := range fields {
		r.keys, r.vals = append(r.keys, f), append(r.vals, a[f])
	}
	return r
}

// sobject serves sobjects/Account (GET basic information, POST create) and
// sobjects/Account/{id} (GET, PATCH, DELETE). Other objects are 404.
func (s *Site) sobject(w http.ResponseWriter, r *http.Request, v, sub string) {
	obj, id, _ := strings.Cut(sub, "/")
	if !strings.EqualFold(obj, "Account") || strings.Contains(id, "/") {
		notFoundREST(w)
		return
	}
	switch {
	case id == "" && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		writeREST(w, http.StatusOK, map[string]any{
			"objectDescribe": map[string]any{"name": "Account", "label": "Account", "keyPrefix": "001",
				"urls": map[string]string{"sobject": "/services/data/v" + v + "/sobjects/Account",
					"rowTemplate": "/services/data/v" + v + "/sobjects/Account/{ID}"}},
			"recentItems": []any{}})
	case id == "" && r.Method == http.MethodPost:
		s.createAccount(w, r)
	case id == "":
		methodNotAllowed(w, r, "GET", "HEAD", "POST")
	case r.Method == http.MethodGet || r.Method == http.MethodHead:
		s.getAccount(w, r, v, id)
	case r.Method == http.MethodPatch:
		s.updateAccount(w, r, id)
	case r.Method == http.MethodDelete:
		s.deleteAccount(w, id)
	default:
		methodNotAllowed(w, r, "GET", "HEAD", "PATCH", "DELETE")
	}
}

func (s *Site) getAccount(w http.ResponseWriter, r *http.Request, v, id string) {
	fields := accountFields
	if fl := r.URL.Query().Get("fields"); fl != "" {
		fields = nil
		for _, f := range strings.Split(fl, ",") {
			name := accountField(strings.TrimSpace(f))
			if name == "" {
				failREST(w, http.StatusBadRequest, "INVALID_FIELD", "No such column '"+strings.TrimSpace(f)+"' on sobject of type Account")
				return
			}
			fields = append(fields, name)
		}
	}
	s.mu.Lock()
	a := s.st.findAccount(id)
	var rec record
	if a != nil {
		rec = a.project(v, fields)
	}
	s.mu.Unlock()
	if a == nil {
		notFoundREST(w)
		return
	}
	writeREST(w, http.StatusOK, rec)
}

// createAccount answers 201 {"id","success","errors"}.
func (s *Site) createAccount(w http.ResponseWriter, r *http.Request) {
	m, ok := readObject(w, r)
	if !ok {
		return
	}
	a := account{}
	if !applyFields(w, a, m) {
		return
	}
	if a["Name"] == nil {
		failREST(w, http.StatusBadRequest, "REQUIRED_FIELD_MISSING", "Required fields are missing: [Name]", "Name")
		return
	}
	s.mu.Lock()
	s.st.lastAccount++
	id := accountID(s.st.lastAccount)
	a["Id"] = id
	s.st.accounts = append(s.st.accounts, a)
	s.mu.Unlock()
	writeREST(w, http.StatusCreated, map[string]any{"id": id, "success": true, "errors": []any{}})
}

// updateAccount answers 204 with no body.
func (s *Site) updateAccount(w http.ResponseWriter, r *http.Request, id string) {
	m, ok := readObject(w, r)
	if !ok {
		return
	}
	change := account{}
	if !applyFields(w, change, m) {
		return
	}
	if v, set := change["Name"]; set && v == nil {
		failREST(w, http.StatusBadRequest, "REQUIRED_FIELD_MISSING", "Required fields are missing: [Name]", "Name")
		return
	}
	s.mu.Lock()
	a := s.st.findAccount(id)
	for k, v := range change {
		if a != nil {
			a[k] = v
		}
	}
	s.mu.Unlock()
	if a == nil {
		notFoundREST(w)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Site) deleteAccount(w http.ResponseWriter, id string) {
	s.mu.Lock()
	found := false
	for i, a := range s.st.accounts {
		if a["Id"] == id || a["Id"].(string)[:15] == id {
			s.st.accounts = append(s.st.accounts[:i], s.st.accounts[i+1:]...)
			found = true
			break
		}
	}
	s.mu.Unlock()
	if !found {
		notFoundREST(w)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// applyFields copies the body's fields into a, answering 400 for an
// unknown field, Id, or a value that is not a string or null. Empty strings
// are stored as null, as Salesforce does.
func applyFields(w http.ResponseWriter, a account, m map[string]any) bool {
	for _, k := range sortedKeys(m) {
		name := accountField(k)
		switch {
		case name == "":
			failREST(w, http.StatusBadRequest, "INVALID_FIELD", "No such column '"+k+"' on sobject of type Account")
			return false
		case name == "Id":
			failREST(w, http.StatusBadRequest, "INVALID_FIELD_FOR_INSERT_UPDATE",
				"Unable to create/update fields: Id. Please check the security settings of this field and verify that it is read/write for your profile or permission set.", "Id")
			return false
		}
		switch v := m[k].(type) {
		case nil:
			a[name] = nil
		case string:
			a[name] = v
			if v == "" {
				a[name] = nil
			}
		default:
			failREST(w, http.StatusBadRequest, "JSON_PARSER_ERROR", "Cannot deserialize instance of string from "+k)
			return false
		}
	}
	return true
}
