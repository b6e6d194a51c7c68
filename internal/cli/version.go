package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// versionString is the stamped version, else the module version from the
// build info (go install), else "dev".
func versionString(env *Env) string {
	v, commit := env.Version, env.Commit
	if v == "" {
		v = "dev"
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
	}
	if commit != "" {
		return fmt.Sprintf("sfecho %s (%s, %s)", v, commit, runtime.Version())
	}
	return fmt.Sprintf("sfecho %s (%s)", v, runtime.Version())
}

func newVersionCmd(env *Env) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print the version",
		Example: "  sfecho version",
		Args:    cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintln(env.Out, versionString(env))
			return err
		},
	}
}
