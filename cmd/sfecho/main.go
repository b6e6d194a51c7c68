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

// version and commit are stamped by the release build (-ldflags -X).
var (
	version = ""
	commit  = ""
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], cli.System(version, commit))
	stop()
	os.Exit(code)
}
