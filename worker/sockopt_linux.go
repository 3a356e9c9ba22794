package worker

import (
	"syscall"

	"golang.org/x/sys/unix"
)

type rawConn = syscall.RawConn

// keepAliveIdle reaps dead peers: accepted sockets inherit these options.
const keepAliveIdle = 55

func setListenOptions(rc rawConn, network string, reusePort bool) error {
	var err error
	cerr := rc.Control(func(fd uintptr) {
		s := int(fd)
		if reusePort {
			if err = unix.SetsockoptInt(s, unix.SOL_SOCKET, unix.SO_REUSEPORT, 1); err != nil {
				return
			}
		}
		if network == "tcp" {
			unix.SetsockoptInt(s, unix.SOL_SOCKET, unix.SO_KEEPALIVE, 1)
			unix.SetsockoptInt(s, unix.IPPROTO_TCP, unix.TCP_KEEPIDLE, keepAliveIdle)
			unix.SetsockoptInt(s, unix.IPPROTO_TCP, unix.TCP_KEEPINTVL, keepAliveIdle)
		}
	})
	if cerr != nil {
		return cerr
	}
	return err
}
