package sim

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// run returns the matching accounts as records of version v.
func (sq *soqlQuery) run(accounts []account, v string) []record {
	var rows []account
	for _, a := range accounts {
		if sq.whereField != "" {
			s, _ := a[sq.whereField].(string)
			if a[sq.whereField] == nil || !strings.EqualFold(s, sq.where) {
				continue
			}
		}
		rows = append(rows, a)
	}
	if sq.orderBy != "" {
		sort.SliceStable(rows, func(i, j int) bool {
			a, _ := rows[i][sq.orderBy].(string) // null sorts first, as ""
			b, _ := rows[j][sq.orderBy].(string)
			if sq.desc {
				return strings.ToLower(a) > strings.ToLower(b)
			}
			return strings.ToLower(a) < strings.ToLower(b)
		})
	}
	if sq.limit >= 0 && len(rows) > sq.limit {
		rows = rows[:sq.limit]
	}
	out := make([]record, len(rows))
	for i, a := range rows {
		out[i] = a.project(v, sq.fields)
	}
	return out
}

// cursor is an open query result, read batch by batch through
// nextRecordsUrl.
type cursor struct {
	records []record
	userID  string
	version string
}

// queryResult is the answer of query: totalSize, done, nextRecordsUrl
// while more batches remain, and one batch of records.
type queryResult struct {
	TotalSize      int      `json:"totalSize"`
	Done           bool     `json:"done"`
	NextRecordsURL string   `json:"nextRecordsUrl,omitempty"`
	Records        []record `json:"records"`
}

// maxCursors bounds the open query results a long-running site keeps.
const maxCursors = 1000

// query serves GET query?q=SOQL: the first batch of Config.QueryBatchSize
// records and, when more remain, a nextRecordsUrl
// (/services/data/vNN.N/query/01g…-2000) for the next.
func (s *Site) query(w http.ResponseWriter, r *http.Request, t tokenView, v string) {
	if !getOnly(w, r) {
		return
	}
	q := r.URL.Query().Get("q")
	if strings.TrimSpace(q) == "" {
		failREST(w, http.StatusBadRequest, "MALFORMED_QUERY", "A query string has to be specified")
		return
	}
	sq, qerr := parseSOQL(q)
	if qerr != nil {
		failREST(w, http.StatusBadRequest, qerr.code, qerr.msg)
		return
	}
	s.mu.Lock()
	res := s.page(&cursor{records: sq.run(s.st.accounts, v), userID: t.userID, version: v}, "", 0)
	s.mu.Unlock()
	writeREST(w, http.StatusOK, res)
}

// queryMore serves GET query/{locator}-{offset}: the batch at offset. A
// locator that is unknown, finished, or another user's is 400
// INVALID_QUERY_LOCATOR.
func (s *Site) queryMore(w http.ResponseWriter, r *http.Request, t tokenView, sub string) {
	if !getOnly(w, r) {
		return
	}
	locator, off, _ := strings.Cut(sub, "-")
	offset, err := strconv.Atoi(off)
	s.mu.Lock()
	c := s.st.cursors[locator]
	ok := err == nil && c != nil && c.userID == t.userID && offset > 0 && offset < len(c.records)
	var res queryResult
	if ok {
		res = s.page(c, locator, offset)
	}
	s.mu.Unlock()
	if !ok {
		failREST(w, http.StatusBadRequest, "INVALID_QUERY_LOCATOR", "invalid query locator")
		return
	}
	writeREST(w, http.StatusOK, res)
}

// page returns c's batch at offset, opening a locator for the rest or
// closing it after the last batch. Caller holds s.mu.
func (s *Site) page(c *cursor, locator string, offset int) queryResult {
	end := min(offset+s.cfg.QueryBatchSize, len(c.records))
	res := queryResult{TotalSize: len(c.records), Done: end == len(c.records), Records: c.records[offset:end]}
	switch {
	case !res.Done && locator == "":
		if len(s.st.cursors) >= maxCursors {
			for k := range s.st.cursors {
				delete(s.st.cursors, k)
				break
			}
		}
		locator = "01g5g00000" + randString(tokenChars[:62], 5) + "AAA"
		s.st.cursors[locator] = c
	case res.Done && locator != "":
		delete(s.st.cursors, locator)
	}
	if !res.Done {
		res.NextRecordsURL = "/services/data/v" + c.version + "/query/" + locator + "-" + strconv.Itoa(end)
	}
	return res
}
