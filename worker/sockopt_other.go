//go:build !linux

package worker

import (
	"errors"
	"syscall"
)

type rawConn = syscall.RawConn

func setListenOptions(_ rawConn, _ string, reusePort bool) error {
	if reusePort {
		return errors.New("worker: ReusePort is only supported on Linux")
	}
	return nil
}
