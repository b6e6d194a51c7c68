//go:build !windows

package echo

import (
	"errors"
	"syscall"
)

func isAddrInUse(err error) bool     { return errors.Is(err, syscall.EADDRINUSE) }
func isPortForbidden(err error) bool { return errors.Is(err, syscall.EACCES) }
