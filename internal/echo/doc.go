// Package echo decodes OAuth redirect parameters the way a person debugging a
// redirect needs them, and serves a local, loopback-only copy of Salesforce's
// /services/oauth2/echo endpoint.
//
// Salesforce's echo endpoint answers a redirect with its URL parameters as a
// JSON object (protocol.md §3). [Parse] and [ParseQueryLenient] produce the same
// object from a redirect URL, but leniently: the endpoint's own help page
// prints an example with a malformed percent-escape (protocol.md TV14), and a
// strict parser such as [net/url.ParseQuery] would reject the whole query
// because of it. Every oddity is reported as a [Problem] that names the
// parameter and never quotes a code or token.
//
// [Listen] starts the local endpoint used by `sfecho echo serve`,
// `sfecho login --capture local` and `sfecho login --web`; [Handler] is the
// same endpoint as an [net/http.Handler] for embedding (the simulator).
//
// The package imports nothing from the rest of sfecho and never prints.
package echo
