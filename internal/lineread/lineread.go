// Package lineread reads lines of bounded length that a caller can stop
// waiting for: secrets and codes read from a pipe (sfecho login
// --password-stdin, the OTP on the next line of stdin).
//
// A bufio.Reader grows without bound on input with no newline (a
// --password-stdin fed from /dev/zero ran to 24 GB) and a read blocked on
// a quiet pipe ignores Ctrl-C until the pipe closes. [Reader.ReadLine]
// refuses a line longer than its cap with [ErrTooLong], reading no more
// than the cap (plus one buffer) to find out, and returns as soon as its
// context ends.
//
// The package imports nothing from the rest of sfecho and never prints.
package lineread

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
)

// MaxLine is the cap sfecho uses for a secret or a code: far above any
// password, OTP or token, far below what would hurt.
const MaxLine = 64 << 10

// ErrTooLong is returned for a line longer than the Reader's cap. The
// line is not returned, and the Reader should not be read again.
var ErrTooLong = errors.New("line too long")

// Reader reads lines of at most a fixed number of bytes from an io.Reader.
// It is not safe for concurrent use.
type Reader struct {
	br  *bufio.Reader
	max int
	// pending holds a read that an ended context gave up on; it still
	// owns br, so the next ReadLine collects its result first.
	pending chan result
}

type result struct {
	line string
	err  error
}

// New returns a Reader of lines of at most max bytes (line ending not
// counted) from r. max <= 0 means [MaxLine].
func New(r io.Reader, max int) *Reader {
	if max <= 0 {
		max = MaxLine
	}
	return &Reader{br: bufio.NewReader(r), max: max}
}

// ReadLine returns the next line without its line ending ("\n", and any
// "\r" before it); other white space is kept, since a password may hold it. A last
// line without a newline is returned as a line; at the end of the input it
// returns io.EOF. A line longer than the cap gives an error wrapping
// [ErrTooLong].
//
// When ctx ends first, ReadLine returns ctx's error at once. The read it
// started goes on in the background (a blocked read on a pipe or terminal
// cannot be cancelled portably), and its line is what the next ReadLine
// returns.
func (r *Reader) ReadLine(ctx context.Context) (string, error) {
	ch := r.pending
	if ch == nil {
		if ctx.Done() == nil {
			return r.read()
		}
		if err := ctx.Err(); err != nil {
			return "", err
		}
		ch = make(chan result, 1)
		go func() {
			line, err := r.read()
			ch <- result{line, err}
		}()
	}
	select {
	case res := <-ch:
		r.pending = nil
		return res.line, res.err
	case <-ctx.Done():
		r.pending = ch
		return "", ctx.Err()
	}
}

// read reads up to the next newline, keeping at most max+2 bytes.
func (r *Reader) read() (string, error) {
	var line []byte
	for {
		chunk, err := r.br.ReadSlice('\n')
		if len(line)+len(chunk) > r.max+2 { // room for "\r\n"
			return "", fmt.Errorf("%w: more than %d bytes without a newline", ErrTooLong, r.max)
		}
		line = append(line, chunk...)
		switch {
		case err == nil:
			line = trimEOL(line)
			if len(line) > r.max {
				return "", fmt.Errorf("%w: more than %d bytes", ErrTooLong, r.max)
			}
			return string(line), nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF) && len(line) > 0:
			line = trimEOL(line)
			if len(line) > r.max {
				return "", fmt.Errorf("%w: more than %d bytes", ErrTooLong, r.max)
			}
			return string(line), nil
		default:
			return "", err
		}
	}
}

// trimEOL drops the line ending, and any CR before it.
func trimEOL(b []byte) []byte { return bytes.TrimRight(b, "\r\n") }
