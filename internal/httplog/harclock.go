package httplog

import (
	"context"
	"crypto/tls"
	"math"
	"net"
	"net/http/httptrace"
	"sync"
	"time"
)

// harClock collects one request's timings from httptrace hooks. Hooks may
// run on the transport's goroutines, hence the lock.
type harClock struct {
	mu                   sync.Mutex
	start, end           time.Time
	dnsStart, dnsDone    time.Time
	connStart, connDone  time.Time
	tlsStart, tlsDone    time.Time
	gotConn, wrote, resp time.Time
	remote               string
}

// withTrace adds the clock's hooks to ctx, keeping any trace already there
// (httptrace composes them).
func (c *harClock) withTrace(ctx context.Context) context.Context {
	now := func(t *time.Time) {
		c.mu.Lock()
		*t = time.Now()
		c.mu.Unlock()
	}
	first := func(t *time.Time) {
		c.mu.Lock()
		if t.IsZero() {
			*t = time.Now()
		}
		c.mu.Unlock()
	}
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		DNSStart:          func(httptrace.DNSStartInfo) { first(&c.dnsStart) },
		DNSDone:           func(httptrace.DNSDoneInfo) { now(&c.dnsDone) },
		ConnectStart:      func(string, string) { first(&c.connStart) },
		ConnectDone:       func(string, string, error) { now(&c.connDone) },
		TLSHandshakeStart: func() { first(&c.tlsStart) },
		TLSHandshakeDone:  func(tls.ConnectionState, error) { now(&c.tlsDone) },
		GotConn: func(info httptrace.GotConnInfo) {
			c.mu.Lock()
			c.gotConn = time.Now()
			if info.Conn != nil {
				c.remote = info.Conn.RemoteAddr().String()
			}
			c.mu.Unlock()
		},
		WroteRequest:         func(httptrace.WroteRequestInfo) { now(&c.wrote) },
		GotFirstResponseByte: func() { now(&c.resp) },
	})
}

func (c *harClock) finish(t time.Time) {
	c.mu.Lock()
	c.end = t
	c.mu.Unlock()
}

func (c *harClock) remoteIP() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	host, _, err := net.SplitHostPort(c.remote)
	if err != nil {
		return ""
	}
	return host
}

// harTimings are HAR 1.2 timings in milliseconds; -1 means "does not
// apply" (a reused connection has no dns, connect or ssl). connect includes
// ssl, as the spec says.
type harTimings struct {
	Blocked float64 `json:"blocked"`
	DNS     float64 `json:"dns"`
	Connect float64 `json:"connect"`
	Send    float64 `json:"send"`
	Wait    float64 `json:"wait"`
	Receive float64 `json:"receive"`
	SSL     float64 `json:"ssl"`
}

// timings splits the request's life into HAR phases and returns them with
// their sum, the entry's time (the spec: time is the sum of the timings
// that apply, ssl excluded since connect holds it). Phases that never
// happened (an error before an answer) are 0.
func (c *harClock) timings() (harTimings, float64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := harTimings{DNS: -1, Connect: -1, SSL: -1}
	if !c.dnsStart.IsZero() && !c.dnsDone.IsZero() {
		t.DNS = ms(c.dnsDone.Sub(c.dnsStart))
	}
	connEnd := c.connDone
	if !c.tlsDone.IsZero() {
		connEnd = c.tlsDone
	}
	if !c.connStart.IsZero() && !connEnd.IsZero() {
		t.Connect = ms(connEnd.Sub(c.connStart))
	}
	if !c.tlsStart.IsZero() && !c.tlsDone.IsZero() {
		t.SSL = ms(c.tlsDone.Sub(c.tlsStart))
	}
	gotConn := orAt(c.gotConn, c.end)
	t.Blocked = round3(math.Max(0, ms(gotConn.Sub(c.start))-pos(t.DNS)-pos(t.Connect)))
	wrote := orAt(c.wrote, gotConn)
	t.Send = ms(wrote.Sub(gotConn))
	resp := orAt(c.resp, c.end)
	t.Wait = ms(resp.Sub(wrote))
	t.Receive = ms(c.end.Sub(resp))
	total := t.Blocked + pos(t.DNS) + pos(t.Connect) + t.Send + t.Wait + t.Receive
	return t, round3(total)
}

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

// orAt is t, or def when t never happened.
func orAt(t, def time.Time) time.Time {
	if t.IsZero() {
		return def
	}
	return t
}

// ms converts to milliseconds with microsecond precision, never negative.
func ms(d time.Duration) float64 {
	if d < 0 {
		return 0
	}
	return float64(d.Microseconds()) / 1000
}

func pos(v float64) float64 { return math.Max(v, 0) }
