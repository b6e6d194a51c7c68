package store

import (
	"errors"
	"io/fs"
	"os"
)

// ErrNotRegular reports a path that is a FIFO, a device, a socket or a
// directory where a file was expected.
var ErrNotRegular = errors.New("not a regular file")

// OpenRegular opens path for reading only when it is a regular file (or a
// symlink to one). A FIFO would block the open until some writer came, and
// a device (/dev/zero, a terminal) would be read without end or taken over:
// such a path is refused before it is opened, with an error wrapping
// [ErrNotRegular]. The open itself does not block and does not acquire a
// controlling terminal, and the open file is checked again, so a path
// swapped between the two checks is refused too. A missing file gives an
// error wrapping fs.ErrNotExist.
func OpenRegular(path string) (*os.File, fs.FileInfo, error) {
	before, err := os.Stat(path)
	if err != nil {
		return nil, nil, err
	}
	if !before.Mode().IsRegular() {
		return nil, nil, notRegular(path, before)
	}
	f, err := os.OpenFile(path, os.O_RDONLY|openNoBlock, 0)
	if err != nil {
		return nil, nil, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !info.Mode().IsRegular() || !os.SameFile(before, info) {
		f.Close()
		return nil, nil, notRegular(path, info)
	}
	return f, info, nil
}

func notRegular(path string, info fs.FileInfo) error {
	kind := "not a regular file"
	switch t := info.Mode().Type(); {
	case t&fs.ModeNamedPipe != 0:
		kind = "a FIFO"
	case t&fs.ModeDevice != 0, t&fs.ModeCharDevice != 0:
		kind = "a device"
	case t&fs.ModeSocket != 0:
		kind = "a socket"
	case t&fs.ModeDir != 0:
		kind = "a directory"
	}
	return &notRegularError{path: path, kind: kind}
}

// notRegularError names the path and what it is instead of a file.
type notRegularError struct{ path, kind string }

func (e *notRegularError) Error() string {
	return e.path + " is " + e.kind + ", not a regular file: refusing to open it"
}

// Is makes errors.Is(err, ErrNotRegular) true.
func (e *notRegularError) Is(target error) bool { return target == ErrNotRegular }
