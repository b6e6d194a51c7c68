package store

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// helperEnv selects what TestHelperProcess does when the test binary is
// re-executed as a child process.
const helperEnv = "SFECHO_STORE_HELPER"

// TestHelperProcess is not a test: it is the child process of the
// cross-process tests, started by startHelper. It reads its mode and
// directory from the environment and reports progress on stdout.
func TestHelperProcess(t *testing.T) {
	mode := os.Getenv(helperEnv)
	if mode == "" {
		t.Skip("helper process only")
	}
	dir := os.Getenv("SFECHO_STORE_DIR")
	var err error
	switch mode {
	case "save-loop":
		err = helperSaveLoop(dir)
	case "die-before-rename":
		err = helperDieBeforeRename(dir)
	case "hold-lock":
		err = helperHoldLock(dir)
	default:
		err = fmt.Errorf("unknown helper mode %q", mode)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		os.Exit(3)
	}
	os.Exit(0)
}

// helperSaveLoop saves numbered sessions forever, printing each number once
// it is saved, until it is killed.
func helperSaveLoop(dir string) error {
	st := NewFile(dir)
	for i := 1; ; i++ {
		if err := st.Save(newSession("default", strconv.Itoa(i))); err != nil {
			return err
		}
		fmt.Println(i)
	}
}

// helperDieBeforeRename starts a save and stops it after the temp file is
// written but before the rename, printing "tmp <path>" and waiting to be
// killed.
func helperDieBeforeRename(dir string) error {
	testHookBeforeRename = func(tmp string) {
		fmt.Println("tmp", tmp)
		select {}
	}
	return NewFile(dir).Save(newSession("default", "new"))
}

// helperHoldLock takes the profile lock, prints "locked", and keeps it until
// its stdin is closed; it exits without unlocking, leaving that to the OS.
func helperHoldLock(dir string) error {
	if _, err := Lock(context.Background(), dir, "default"); err != nil {
		return err
	}
	fmt.Println("locked")
	_, _ = io.Copy(io.Discard, os.Stdin)
	return nil
}

// helper is a running child process and its stdout, line by line.
type helper struct {
	cmd   *exec.Cmd
	lines *bufio.Scanner
	stdin io.WriteCloser
}

// startHelper re-executes the test binary as a helper in mode.
func startHelper(t *testing.T, mode, dir string) *helper {
	t.Helper()
	if runtime.GOOS == "windows" || runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skip("needs Unix processes and signals")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), helperEnv+"="+mode, "SFECHO_STORE_DIR="+dir)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return &helper{cmd: cmd, lines: bufio.NewScanner(out), stdin: stdin}
}

// next returns the helper's next stdout line.
func (h *helper) next(t *testing.T) string {
	t.Helper()
	if !h.lines.Scan() {
		t.Fatalf("helper ended early: %v", h.lines.Err())
	}
	return h.lines.Text()
}

// kill sends SIGKILL, the one signal a process cannot clean up after.
func (h *helper) kill(t *testing.T) {
	t.Helper()
	if err := h.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = h.cmd.Wait()
}

// TestCrashBeforeRename kills a process after it wrote the new session to a
// temp file and before the rename: the previous session must load intact and
// the temp file must not be taken for it.
func TestCrashBeforeRename(t *testing.T) {
	t.Parallel()
	dir := sessDir(t)
	st := NewFile(dir)
	if err := st.Save(newSession("default", "old")); err != nil {
		t.Fatal(err)
	}
	h := startHelper(t, "die-before-rename", dir)
	line := h.next(t)
	tmp, ok := strings.CutPrefix(line, "tmp ")
	if !ok {
		t.Fatalf("helper said %q", line)
	}
	h.kill(t)
	if _, err := os.Stat(tmp); err != nil {
		t.Fatalf("the killed save left no temp file: %v", err)
	}
	got, err := st.Load("default")
	if err != nil {
		t.Fatalf("Load after the crash: %v", err)
	}
	if got.RefreshToken != "RT-old" {
		t.Errorf("RefreshToken = %q; want the previous session's RT-old", got.RefreshToken)
	}
	if err := st.Save(newSession("default", "next")); err != nil {
		t.Fatalf("Save after the crash: %v", err)
	}
	if got, err := st.Load("default"); err != nil || got.RefreshToken != "RT-next" {
		t.Errorf("Load after the next save = %v, %v; want RT-next", got, err)
	}
}

// TestCrashDuringSaveLoop SIGKILLs a process that saves sessions in a tight
// loop, wherever it happens to be, several times. Every time, the session
// must load, be whole (its parts agree), and be no older than the last save
// the child reported.
func TestCrashDuringSaveLoop(t *testing.T) {
	t.Parallel()
	dir := sessDir(t)
	st := NewFile(dir)
	for round := range 5 {
		h := startHelper(t, "save-loop", dir)
		var last int
		for range 10 + 7*round {
			last, _ = strconv.Atoi(h.next(t))
		}
		h.kill(t)
		got, err := st.Load("default")
		if err != nil {
			t.Fatalf("round %d: Load after SIGKILL: %v", round, err)
		}
		n, err := strconv.Atoi(strings.TrimPrefix(got.Username, "user-"))
		if err != nil || got.AccessToken != "AT-"+strconv.Itoa(n) || got.RefreshToken != "RT-"+strconv.Itoa(n) ||
			!strings.Contains(string(got.Token), `"RT-`+strconv.Itoa(n)+`"`) {
			t.Fatalf("round %d: session is not whole: %+v", round, got)
		}
		if n < last {
			t.Errorf("round %d: loaded session %d, older than the reported save %d", round, n, last)
		}
	}
}

// TestLockAcrossProcesses shows that a lock held by another process keeps
// Lock waiting until ctx ends, and that it is free once that process exits.
func TestLockAcrossProcesses(t *testing.T) {
	t.Parallel()
	dir := sessDir(t)
	h := startHelper(t, "hold-lock", dir)
	if got := h.next(t); got != "locked" {
		t.Fatalf("helper said %q", got)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	if _, err := Lock(ctx, dir, "default"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Lock while another process holds it = %v; want DeadlineExceeded", err)
	}
	if unlock, err := Lock(t.Context(), dir, "other"); err != nil {
		t.Errorf("Lock of another profile = %v; want it free", err)
	} else {
		_ = unlock()
	}
	_ = h.stdin.Close() // the helper exits without unlocking
	ctx2, cancel2 := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel2()
	unlock, err := Lock(ctx2, dir, "default")
	if err != nil {
		t.Fatalf("Lock after the holder exited: %v", err)
	}
	if err := unlock(); err != nil {
		t.Errorf("unlock: %v", err)
	}
}

// TestLockInProcess shows two Lock calls in one process exclude each other
// too (flock locks belong to open files, not processes), so goroutines and
// tests behave like processes.
func TestLockInProcess(t *testing.T) {
	t.Parallel()
	dir := sessDir(t)
	unlock, err := Lock(t.Context(), dir, "default")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if _, err := Lock(ctx, dir, "default"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("second Lock = %v; want DeadlineExceeded", err)
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	unlock2, err := Lock(t.Context(), dir, "default")
	if err != nil {
		t.Fatalf("Lock after unlock: %v", err)
	}
	_ = unlock2()
	if _, err := Lock(t.Context(), dir, "../x"); err == nil {
		t.Error("Lock accepted a bad profile name")
	}
}
