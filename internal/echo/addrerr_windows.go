//go:build windows

package echo

import (
	"errors"
	"syscall"
)

// Winsock error numbers: WSAEADDRINUSE and WSAEACCES. syscall.EADDRINUSE on
// Windows is an invented value that a real bind error never matches.
const (
	wsaEADDRINUSE syscall.Errno = 10048
	wsaEACCES     syscall.Errno = 10013
)

func isAddrInUse(err error) bool     { return errors.Is(err, wsaEADDRINUSE) }
func isPortForbidden(err error) bool { return errors.Is(err, wsaEACCES) }
