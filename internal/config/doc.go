// Package config reads and writes sfecho's config file,
// os.UserConfigDir()/sfecho/config.toml, which holds named profiles:
//
//	[profiles.default]
//	site = "https://acme.my.site.com/shop"
//	client_id = "3MVG9..."
//	username = "ci-bot@example.com"
//	scope = "api refresh_token"
//
//	[profiles.ci]
//	site = "https://acme--uat.sandbox.my.site.com"
//	store = "keyring"
//
// A profile is the weakest source of a setting: flags beat SFECHO_* variables,
// which beat the profile, which beats the default (design.md). The file holds
// no secrets; a client secret is named by client_secret_file.
//
// The file is meant to be edited by hand, so every error names the file and,
// where it can be found, the line: "config.toml:7: unknown key "sitee"". A
// missing file is an empty configuration, not an error.
package config
