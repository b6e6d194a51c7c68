// Package store saves sfecho sessions (the tokens of a login and what is known
// about them) per profile, so that `sfecho token` can print a valid access
// token years later without a login.
//
// Two backends implement [Store]: [File] keeps each session in a 0600 JSON
// file in a 0700 directory, written by temp file, fsync and rename so that a
// crash never leaves half a session behind; [Keyring] keeps the tokens in the
// OS keyring (zalando/go-keyring) and the rest beside them in the directory,
// with every keyring call under a timeout because a missing D-Bus secret
// service can make go-keyring hang.
//
// Refresh tokens may be single-use (Salesforce refresh token rotation,
// protocol.md §9), so a refresh must run under [Lock], a cross-process lock on
// a separate lock file, and re-read the session after taking it.
package store
