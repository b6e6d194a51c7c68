package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// buildInfo is what `sfecho version -o json` prints.
type buildInfo struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	Date      string `json:"date"`
	GoVersion string `json:"go_version"`
	Platform  string `json:"platform"`
}

// readBuildInfo is the stamped version, commit and date (release builds,
// -ldflags -X), else what the Go toolchain recorded: the module version
// (go install …@version) and the VCS revision and time (go build in a
// checkout). The version is "dev" when nothing tells.
func readBuildInfo(env *Env) buildInfo {
	b := buildInfo{Version: env.Version, Commit: env.Commit, Date: env.Date,
		GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if b.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			b.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch {
			case s.Key == "vcs.revision" && b.Commit == "":
				b.Commit = s.Value
			case s.Key == "vcs.time" && b.Date == "":
				b.Date = s.Value
			}
		}
	}
	if b.Version == "" {
		b.Version = "dev"
	}
	return b
}

// versionString is the one-line form: sfecho VERSION (commit C, built D,
// goX.Y OS/ARCH), leaving out what is not known.
func versionString(env *Env) string {
	b := readBuildInfo(env)
	s := "sfecho " + b.Version + " ("
	if b.Commit != "" {
		c := b.Commit
		if len(c) > 12 {
			c = c[:12]
		}
		s += "commit " + c + ", "
	}
	if b.Date != "" {
		s += "built " + b.Date + ", "
	}
	return s + b.GoVersion + " " + b.Platform + ")"
}

func newVersionCmd(env *Env) *cobra.Command {
	var out output
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit and build date",
		Example: `  sfecho version
  sfecho version -o json | jq -r .version`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			format, err := out.resolve(env)
			if err != nil {
				return err
			}
			if format == "json" {
				return writeValue(env.Out, readBuildInfo(env))
			}
			_, err = fmt.Fprintln(env.Out, versionString(env))
			return err
		},
	}
	out.addFlag(cmd, "text", "text", "json")
	return cmd
}
