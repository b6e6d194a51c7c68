//go:build unix

package store

import (
	"io/fs"
	"os"
	"syscall"
)

// openNoBlock keeps an open from waiting (a FIFO swapped in after the
// check) and from making a terminal the controlling one.
const openNoBlock = syscall.O_NONBLOCK | syscall.O_NOCTTY

// ownedBySelf reports whether the current user owns the file.
func ownedBySelf(info fs.FileInfo) bool {
	st, ok := info.Sys().(*syscall.Stat_t)
	return !ok || int(st.Uid) == os.Getuid()
}
