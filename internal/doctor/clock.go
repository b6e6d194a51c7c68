package doctor

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/sfecho/sfecho/internal/flow"
)

// maxSkew is the clock difference doctor calls a failure. Token expiry
// maths (sfecho token's --min-valid, a JWT's exp) tolerate less than a
// minute going unnoticed.
const maxSkew = time.Minute

// clockSample is the site's Date header and the local time it was read at:
// the middle of the round trip.
type clockSample struct {
	site, local time.Time
	rtt         time.Duration
}

func (r *runner) sampleClock(resp *http.Response, sent, got time.Time) {
	if r.clock != nil {
		return
	}
	d, err := http.ParseTime(resp.Header.Get("Date"))
	if err != nil {
		return
	}
	rtt := got.Sub(sent)
	// Date has whole seconds, cut down: the site's time was half a second
	// later on average.
	r.clock = &clockSample{site: d.Add(time.Second / 2), local: sent.Add(rtt / 2), rtt: rtt}
}

// checkClock compares the site's Date header with the clock here (errors.md
// N7). Date has whole seconds, so half a second plus half the round trip
// is noise.
func (r *runner) checkClock() {
	c := r.clock
	if c == nil {
		r.unknown(CheckClock, "", "the site sent no Date header")
		return
	}
	skew := c.site.Sub(c.local)
	noise := time.Second/2 + c.rtt/2
	off := skew.Abs() - noise
	switch {
	case off <= 0:
		r.pass(CheckClock, "within a second of the site's Date header")
	case off < maxSkew:
		r.pass(CheckClock, fmt.Sprintf("%s the site's Date header: fine", aheadBehind(skew)))
	default:
		r.fail(CheckClock, flow.KindSetup, "N7", aheadBehind(skew)+" the site's Date header: token expiry maths go wrong",
			"<n>", fmt.Sprint(int(skew.Abs().Round(time.Second).Seconds())))
	}
}

// aheadBehind says how the clock here differs from the site's.
func aheadBehind(skew time.Duration) string {
	s := skew.Abs().Round(time.Second)
	if skew > 0 {
		return "the clock here is " + s.String() + " behind"
	}
	return "the clock here is " + s.String() + " ahead of"
}

// jsonObject decodes a JSON object into m; false when b is not one.
func jsonObject(b []byte, m *map[string]any) bool {
	return json.Unmarshal(b, m) == nil && *m != nil
}
