//go:build unix

package cli

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSfechoSignalProcess is not a test: re-executed with
// SFECHO_TEST_MAIN=signal, the test binary is cmd/sfecho/main.go, signals
// included.
func TestSfechoSignalProcess(t *testing.T) {
	if os.Getenv(childMainEnv) != "signal" {
		t.Skip("child process only")
	}
	var args []string
	if err := json.Unmarshal([]byte(os.Getenv(childArgsEnv)), &args); err != nil {
		os.Exit(99)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	env := System("test", "")
	env.ConfigDir = os.Getenv(childDirEnv)
	code := Run(ctx, args, env)
	stop()
	os.Exit(code)
}

// SIGTERM or SIGINT while sfecho waits on a quiet stdin (a pipe nobody
// writes) ends it at once with exit 130, not when the pipe closes.
func TestSignalWhileReadingStdin(t *testing.T) {
	for _, sig := range []os.Signal{syscall.SIGTERM, os.Interrupt} {
		argsJSON, _ := json.Marshal([]string{"login", "--site", "https://127.0.0.1:1", "--client-id", "x",
			"--username", "u", "--password-stdin", "--no-store"})
		cmd := exec.Command(os.Args[0], "-test.run=^TestSfechoSignalProcess$")
		cmd.Env = append(os.Environ(), childMainEnv+"=signal", childArgsEnv+"="+string(argsJSON), childDirEnv+"="+t.TempDir())
		stdin, err := cmd.StdinPipe() // kept open and quiet
		if err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(500 * time.Millisecond) // let it block on stdin
		start := time.Now()
		cmd.Process.Signal(sig)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("%v: sfecho still waits on stdin", sig)
		}
		stdin.Close()
		if code := cmd.ProcessState.ExitCode(); code != ExitInterrupted || time.Since(start) > 5*time.Second {
			t.Errorf("%v: exit %d after %v; want 130 at once\n%s", sig, code, time.Since(start), stderr.String())
		}
		if !strings.Contains(stderr.String(), "sfecho: interrupted") {
			t.Errorf("%v: stderr:\n%s", sig, stderr.String())
		}
	}
}
