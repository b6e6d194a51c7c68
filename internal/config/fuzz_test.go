package config

import (
	"path/filepath"
	"reflect"
	"testing"
)

// FuzzParse feeds arbitrary files to the parser: it must not panic, and a
// file it accepts must survive Save and Load unchanged.
func FuzzParse(f *testing.F) {
	f.Add([]byte("[profiles.default]\nsite = \"https://x\"\nstore = \"file\"\nsession_lifetime = \"2h\"\n"))
	f.Add([]byte("profiles = { ci = { site = \"x\", credentials_in_body = true } }\n"))
	f.Add([]byte("[profiles.\"a.b\"]\nmin_valid = \"5m\"\n"))
	f.Add([]byte("[[profiles]]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := parse("config.toml", data)
		if err != nil {
			return
		}
		path := filepath.Join(t.TempDir(), "config.toml")
		if err := cfg.Save(path); err != nil {
			t.Fatalf("Save of an accepted file: %v", err)
		}
		again, err := Load(path)
		if err != nil {
			t.Fatalf("Load of a saved file: %v", err)
		}
		if !reflect.DeepEqual(cfg, again) {
			t.Fatalf("round trip: %+v != %+v", cfg, again)
		}
	})
}
