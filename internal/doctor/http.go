package doctor

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http"
	"strings"

	"github.com/sfecho/sfecho/internal/safetext"
)

// maxBody caps every answer doctor reads.
const maxBody = 1 << 20

// answer is what came back from one request.
type answer struct {
	resp *http.Response
	body []byte
	err  error
}

func (a answer) status() int {
	if a.resp == nil {
		return 0
	}
	return a.resp.StatusCode
}

// mediaType is the answer's Content-Type without parameters.
func (a answer) mediaType() string {
	if a.resp == nil {
		return ""
	}
	ct, _, _ := strings.Cut(a.resp.Header.Get("Content-Type"), ";")
	return strings.ToLower(strings.TrimSpace(ct))
}

func (a answer) isJSON() bool { return a.mediaType() == "application/json" }
func (a answer) isHTML() bool { return a.mediaType() == "text/html" }

// do sends req without following redirects, reads at most maxBody of the
// answer, and takes the first Date header for the clock check.
func (r *runner) do(req *http.Request) answer {
	hc := *r.o.HTTP
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	t0 := r.now()
	resp, err := hc.Do(req)
	if err != nil {
		return answer{err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
	r.sampleClock(resp, t0, r.now())
	return answer{resp: resp, body: body, err: err}
}

// get sends a GET to the site's path with the given query and headers.
func (r *runner) get(ctx context.Context, target string, hdr http.Header) answer {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return answer{err: err}
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	return r.do(req)
}

// post sends body to target with content type ctype.
func (r *runner) post(ctx context.Context, target, ctype string, body []byte, hdr http.Header) answer {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return answer{err: err}
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Accept", "application/json")
	return r.do(req)
}

// clean makes text from the site one line, its control characters
// escaped. It does not shorten it: the printer does, after masking the
// run's secrets, so that an echoed secret is never cut in two.
func clean(s string) string {
	return safetext.Line(strings.Join(strings.Fields(s), " "))
}

// randHex returns n random bytes as hex.
func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}

// throwaway returns a username that cannot exist: .invalid is reserved
// (RFC 2606), so no site has the user and no mail can reach it.
func throwaway() string {
	return "sfecho-doctor-" + randHex(6) + "@" + randHex(4) + ".invalid"
}
