package cli

import "github.com/spf13/cobra"

// NewRootCommand returns sfecho's whole command tree, as Run builds it, for
// tools that document it: scripts/gendocs writes the man pages and shell
// completions of a release from it (.goreleaser.yaml). Nothing runs; env
// supplies the version shown and the config directory that completion of
// profile names reads.
func NewRootCommand(env *Env) *cobra.Command { return newRootCmd(env) }
