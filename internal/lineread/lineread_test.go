package lineread

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

func TestReadLine(t *testing.T) {
	t.Parallel()
	r := New(strings.NewReader("pw with spaces \r\nsecond\n\nlast"), 16)
	for _, want := range []string{"pw with spaces ", "second", "", "last"} {
		got, err := r.ReadLine(context.Background())
		if err != nil || got != want {
			t.Fatalf("ReadLine = %q, %v; want %q", got, err, want)
		}
	}
	if _, err := r.ReadLine(context.Background()); !errors.Is(err, io.EOF) {
		t.Errorf("at the end: err = %v; want io.EOF", err)
	}
}

// countingReader is an endless source, like /dev/zero, that counts what
// was read from it.
type countingReader struct{ n int }

func (c *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 0
	}
	c.n += len(p)
	return len(p), nil
}

func TestReadLineTooLong(t *testing.T) {
	t.Parallel()
	zero := &countingReader{}
	_, err := New(zero, MaxLine).ReadLine(context.Background())
	if !errors.Is(err, ErrTooLong) {
		t.Fatalf("err = %v; want ErrTooLong", err)
	}
	if zero.n > MaxLine+8192 {
		t.Errorf("read %d bytes to refuse a line over %d", zero.n, MaxLine)
	}
	for _, in := range []string{strings.Repeat("a", 17) + "\n", strings.Repeat("a", 17)} {
		if _, err := New(strings.NewReader(in), 16).ReadLine(context.Background()); !errors.Is(err, ErrTooLong) {
			t.Errorf("%d bytes: err = %v; want ErrTooLong", len(in), err)
		}
	}
	if got, err := New(strings.NewReader(strings.Repeat("a", 16)+"\r\n"), 16).ReadLine(context.Background()); err != nil || len(got) != 16 {
		t.Errorf("exactly the cap: %d bytes, %v", len(got), err)
	}
}

// A read blocked on a quiet pipe returns as soon as its context ends, and
// the line that arrives later is not lost.
func TestReadLineAbandon(t *testing.T) {
	t.Parallel()
	pr, pw := io.Pipe()
	r := New(pr, 0)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := r.ReadLine(ctx)
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v; want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ReadLine did not return when its context ended")
	}
	go pw.Write([]byte("late\n"))
	if got, err := r.ReadLine(context.Background()); err != nil || got != "late" {
		t.Errorf("next ReadLine = %q, %v; want the late line", got, err)
	}
	if _, err := r.ReadLine(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("ended context: err = %v", err)
	}
}
