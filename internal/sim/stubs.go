package sim

import "net/http"

func (s *Site) browserAuthorize(w http.ResponseWriter, r *http.Request) {
	fail(w, "unsupported_response_type", "response type not supported")
}
