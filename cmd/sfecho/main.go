// Command sfecho is a command-line client for Salesforce Headless Identity:
// it logs a customer or partner user into an Experience Cloud site without a
// browser and prints the tokens. See README.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/sfecho/sfecho/internal/cli"
)

// version, commit and date are stamped by the release build (-ldflags -X,
// .goreleaser.yaml).
var (
	version = ""
	commit  = ""
	date    = ""
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	env := cli.System(version, commit)
	env.Date = date
	code := cli.Run(ctx, os.Args[1:], env)
	stop()
	os.Exit(code)
}
