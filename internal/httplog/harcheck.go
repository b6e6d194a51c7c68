package httplog

import (
	"encoding/json"
	"fmt"
	"math"
	"time"
)

// CheckHAR reports where a HAR document departs from HAR 1.2: a missing
// required field (log.version, creator, entries; each entry's
// startedDateTime, time, request, response, cache and timings with their
// own required fields), a wrong type, a startedDateTime that is not ISO
// 8601, a timing below -1 (or below 0 for send, wait and receive), or an
// entry time that is not the sum of its timings. No problems means nil.
func CheckHAR(data []byte) []string {
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		return []string{"not JSON: " + err.Error()}
	}
	c := &harChecker{}
	log := c.object(doc, "log", "log")
	if log == nil {
		return c.problems
	}
	c.str(log, "version", "log")
	if cr := c.object(log, "creator", "log"); cr != nil {
		c.str(cr, "name", "log.creator")
		c.str(cr, "version", "log.creator")
	}
	entries, ok := log["entries"].([]any)
	if !ok {
		return append(c.problems, "log.entries: missing or not an array")
	}
	for i, e := range entries {
		c.entry(e, fmt.Sprintf("log.entries[%d]", i))
	}
	return c.problems
}

type harChecker struct{ problems []string }

func (c *harChecker) fail(format string, args ...any) {
	c.problems = append(c.problems, fmt.Sprintf(format, args...))
}

func (c *harChecker) object(m map[string]any, key, where string) map[string]any {
	v, ok := m[key].(map[string]any)
	if !ok {
		c.fail("%s.%s: missing or not an object", where, key)
	}
	return v
}

func (c *harChecker) str(m map[string]any, key, where string) string {
	v, ok := m[key].(string)
	if !ok {
		c.fail("%s.%s: missing or not a string", where, key)
	}
	return v
}

func (c *harChecker) num(m map[string]any, key, where string) float64 {
	v, ok := m[key].(float64)
	if !ok {
		c.fail("%s.%s: missing or not a number", where, key)
	}
	return v
}

func (c *harChecker) pairs(m map[string]any, key, where string) {
	list, ok := m[key].([]any)
	if !ok {
		c.fail("%s.%s: missing or not an array", where, key)
		return
	}
	for i, p := range list {
		nv, ok := p.(map[string]any)
		if !ok {
			c.fail("%s.%s[%d]: not an object", where, key, i)
			continue
		}
		c.str(nv, "name", fmt.Sprintf("%s.%s[%d]", where, key, i))
		c.str(nv, "value", fmt.Sprintf("%s.%s[%d]", where, key, i))
	}
}

func (c *harChecker) entry(v any, where string) {
	e, ok := v.(map[string]any)
	if !ok {
		c.fail("%s: not an object", where)
		return
	}
	if _, err := time.Parse(time.RFC3339Nano, c.str(e, "startedDateTime", where)); err != nil {
		c.fail("%s.startedDateTime: not ISO 8601: %v", where, err)
	}
	total := c.num(e, "time", where)
	if req := c.object(e, "request", where); req != nil {
		w := where + ".request"
		c.str(req, "method", w)
		c.str(req, "url", w)
		c.str(req, "httpVersion", w)
		c.pairs(req, "cookies", w)
		c.pairs(req, "headers", w)
		c.pairs(req, "queryString", w)
		c.num(req, "headersSize", w)
		c.num(req, "bodySize", w)
		if pd, ok := req["postData"].(map[string]any); ok {
			c.str(pd, "mimeType", w+".postData")
		}
	}
	if resp := c.object(e, "response", where); resp != nil {
		w := where + ".response"
		c.num(resp, "status", w)
		c.str(resp, "statusText", w)
		c.str(resp, "httpVersion", w)
		c.pairs(resp, "cookies", w)
		c.pairs(resp, "headers", w)
		if ct := c.object(resp, "content", w); ct != nil {
			c.num(ct, "size", w+".content")
			c.str(ct, "mimeType", w+".content")
		}
		c.str(resp, "redirectURL", w)
		c.num(resp, "headersSize", w)
		c.num(resp, "bodySize", w)
	}
	c.object(e, "cache", where)
	c.timings(e, where, total)
}

func (c *harChecker) timings(e map[string]any, where string, total float64) {
	t := c.object(e, "timings", where)
	if t == nil {
		return
	}
	w := where + ".timings"
	sum := 0.0
	for _, k := range []string{"send", "wait", "receive"} {
		v := c.num(t, k, w)
		if v < 0 {
			c.fail("%s.%s = %v: must not be negative", w, k, v)
		}
		sum += v
	}
	for _, k := range []string{"blocked", "dns", "connect", "ssl"} {
		v, ok := t[k].(float64)
		if !ok {
			continue // optional
		}
		if v < -1 {
			c.fail("%s.%s = %v: below -1", w, k, v)
		}
		if k != "ssl" && v > 0 {
			sum += v
		}
	}
	if math.Abs(sum-total) > 0.01 {
		c.fail("%s: time %v is not the sum of the timings (%v)", where, total, sum)
	}
}
