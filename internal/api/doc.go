// Package api calls Salesforce's REST APIs as the logged-in user, the
// engine of `sfecho api`: path resolution, API version discovery, the
// Bearer token from a [Tokens] source with one refresh and one retry after
// a 401, nextRecordsUrl paging, and one error line built from Salesforce's
// error array. It does no printing and touches no files: the caller reads
// request bodies and writes answers.
//
// A path is resolved against the session's community URL
// (sfdc_community_url, with the site prefix), or the instance URL when
// [Request.Instance] is set:
//
//   - "/services/data/v62.0/sobjects" or "/services/apexrest/orders" is
//     used as given, under the base URL (a path that already starts with
//     the site prefix is not prefixed twice);
//   - a bare path such as "sobjects/Account" or "query?q=…" is relative to
//     /services/data/vNN.N/, vNN.N being [Client.Version] or else the
//     newest version GET /services/data/ lists, asked once and handed to
//     [Client.Remember];
//   - a full https:// URL is allowed only on the community or the instance
//     host: the access token goes nowhere else, and anything else is
//     refused before a request is made.
//
// Failures are *[flow.Error] values whose Kind gives the exit code: a 2xx
// is success; a 401 that persists after the refresh is [flow.KindNoSession]
// (4); another 4xx (or 3xx: redirects are never followed) is
// [flow.KindUnexpected] (1); a 5xx, network or TLS failure is
// [flow.KindNetwork] (6). A non-2xx answer comes back with the error, so
// that its body can still be shown.
package api
