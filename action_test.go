// Package sfecho holds no code: this file checks the files at the root of
// the repository that other tools read, action.yml (the GitHub Action) and
// .goreleaser.yaml, as YAML.
package sfecho

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

type actionFile struct {
	Name        string
	Description string
	Inputs      map[string]struct {
		Description string
		Required    bool
		Default     *string
	}
	Outputs map[string]struct {
		Description string
		Value       string
	}
	Runs struct {
		Using string
		Steps []struct {
			ID    string
			Name  string
			Shell string
			Run   string
			Env   map[string]string
			If    string
		}
	}
}

func loadYAML(t *testing.T, path string, v any) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, v); err != nil {
		t.Fatalf("%s is not valid YAML: %v", path, err)
	}
	return data
}

// TestActionYAML checks action.yml: valid YAML, a composite action, every
// input and output documented, outputs wired to the steps that set them,
// and no ${{ }} expression inside a script (inputs reach the scripts
// through env, so no input can inject shell code).
func TestActionYAML(t *testing.T) {
	var a actionFile
	data := loadYAML(t, "action.yml", &a)
	if a.Name == "" || a.Description == "" {
		t.Error("action.yml needs a name and a description")
	}
	if a.Runs.Using != "composite" {
		t.Errorf("runs.using = %q; want composite", a.Runs.Using)
	}
	if len(a.Inputs) == 0 || len(a.Outputs) == 0 {
		t.Fatalf("action.yml has %d inputs and %d outputs", len(a.Inputs), len(a.Outputs))
	}
	for name, in := range a.Inputs {
		if strings.TrimSpace(in.Description) == "" {
			t.Errorf("input %s has no description", name)
		}
		if in.Required && in.Default != nil {
			t.Errorf("input %s is required and has a default", name)
		}
	}
	steps := map[string]bool{}
	for i, s := range a.Runs.Steps {
		if s.ID != "" {
			steps[s.ID] = true
		}
		if s.Run != "" && s.Shell == "" {
			t.Errorf("step %d (%s) runs a script without shell: (composite actions need one)", i, s.Name)
		}
		if strings.Contains(s.Run, "${{") {
			t.Errorf("step %d (%s) has a ${{ }} expression in its script; pass it through env", i, s.Name)
		}
	}
	stepOutput := regexp.MustCompile(`^\$\{\{ steps\.([a-z_-]+)\.outputs\.([a-z_]+) \}\}$`)
	for name, out := range a.Outputs {
		if strings.TrimSpace(out.Description) == "" {
			t.Errorf("output %s has no description", name)
		}
		m := stepOutput.FindStringSubmatch(out.Value)
		if m == nil || !steps[m[1]] {
			t.Errorf("output %s = %q; want ${{ steps.<id>.outputs.<name> }} of a step of the action", name, out.Value)
		}
	}
	// The outputs sfecho -o github writes to $GITHUB_OUTPUT.
	for _, o := range []string{"access_token", "instance_url", "community_url"} {
		if !strings.Contains(string(data), "steps.run.outputs."+o+" }}") {
			t.Errorf("no action output carries %s from sfecho -o github", o)
		}
	}
	for _, m := range regexp.MustCompile(`inputs\.([a-z-]+)`).FindAllStringSubmatch(string(data), -1) {
		if _, ok := a.Inputs[m[1]]; !ok {
			t.Errorf("action.yml uses inputs.%s, which it does not declare", m[1])
		}
	}
}

// TestActionMatchesReleaseArchives checks that the archive name the action
// downloads is the one .goreleaser.yaml produces.
func TestActionMatchesReleaseArchives(t *testing.T) {
	var g struct {
		ProjectName string `yaml:"project_name"`
		Archives    []struct {
			NameTemplate string `yaml:"name_template"`
		}
		Checksum struct {
			NameTemplate string `yaml:"name_template"`
		}
	}
	loadYAML(t, ".goreleaser.yaml", &g)
	if g.ProjectName != "sfecho" || len(g.Archives) != 1 ||
		g.Archives[0].NameTemplate != "{{ .ProjectName }}_{{ .Version }}_{{ .Os }}_{{ .Arch }}" ||
		g.Checksum.NameTemplate != "checksums.txt" {
		t.Fatalf(".goreleaser.yaml names its archives %+v; action.yml downloads sfecho_<version>_<os>_<arch> and checksums.txt", g)
	}
	action, err := os.ReadFile("action.yml")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"file=sfecho_${version}_${os}_${arch}.${ext}", "checksums.txt"} {
		if !strings.Contains(string(action), want) {
			t.Errorf("action.yml does not contain %q", want)
		}
	}
}
