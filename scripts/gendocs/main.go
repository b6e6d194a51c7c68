// Command gendocs writes sfecho's man pages and shell completion scripts,
// for the release archives and packages (.goreleaser.yaml runs it as a
// before-hook):
//
//	go run ./scripts/gendocs [-version V] [-date UNIXTIME] DIR
//
// writes DIR/man/sfecho*.1 (one page per command, cobra's doc generator),
// each also gzipped as DIR/man/sfecho*.1.gz for the packages, and
// DIR/completions/sfecho.bash, _sfecho (zsh), sfecho.fish and sfecho.ps1.
// The pages' date is -date (the release passes the commit time), else
// $SOURCE_DATE_EPOCH, else today; the gzip files carry no name or time, so
// the same commit gives the same bytes.
package main

import (
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra/doc"

	"github.com/sfecho/sfecho/internal/cli"
)

func main() {
	version := flag.String("version", "", "version shown in the man pages' footer")
	date := flag.Int64("date", 0, "the man pages' date, as Unix seconds (default $SOURCE_DATE_EPOCH, else today)")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: gendocs [-version V] [-date UNIXTIME] DIR")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	var when *time.Time
	if *date > 0 { // a snapshot without git information passes a zero time
		t := time.Unix(*date, 0).UTC()
		when = &t
	}
	if err := run(flag.Arg(0), *version, when); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}

func run(dir, version string, date *time.Time) error {
	env := &cli.Env{
		In: bytes.NewReader(nil), Out: io.Discard, Err: io.Discard,
		Getenv:  func(string) string { return "" },
		Now:     time.Now,
		Version: version,
	}
	root := cli.NewRootCommand(env)
	root.DisableAutoGenTag = true // no generation date in the files

	man := filepath.Join(dir, "man")
	comp := filepath.Join(dir, "completions")
	for _, d := range []string{man, comp} {
		if err := os.RemoveAll(d); err != nil {
			return err
		}
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	source := "sfecho"
	if version != "" {
		source += " " + version
	}
	header := &doc.GenManHeader{Section: "1", Date: date, Source: source, Manual: "sfecho manual"}
	if err := doc.GenManTree(root, header, man); err != nil {
		return fmt.Errorf("man pages: %w", err)
	}
	pages, err := filepath.Glob(filepath.Join(man, "*.1"))
	if err != nil {
		return err
	}
	for _, p := range pages {
		if err := gzipFile(p); err != nil {
			return fmt.Errorf("man pages: %w", err)
		}
	}
	for name, gen := range map[string]func(io.Writer) error{
		"sfecho.bash": func(w io.Writer) error { return root.GenBashCompletionV2(w, true) },
		"_sfecho":     root.GenZshCompletion,
		"sfecho.fish": func(w io.Writer) error { return root.GenFishCompletion(w, true) },
		"sfecho.ps1":  root.GenPowerShellCompletionWithDesc,
	} {
		if err := writeFile(filepath.Join(comp, name), gen); err != nil {
			return fmt.Errorf("completion %s: %w", name, err)
		}
	}
	return nil
}

// gzipFile writes path.gz at the best compression, with no name and no
// time in the gzip header.
func gzipFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	zw, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
	if err != nil {
		return err
	}
	if _, err := zw.Write(data); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(path+".gz", b.Bytes(), 0o644)
}

func writeFile(path string, gen func(io.Writer) error) error {
	var b bytes.Buffer
	if err := gen(&b); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}
