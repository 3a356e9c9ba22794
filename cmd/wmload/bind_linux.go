package main

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// bindLater lets a socket bound to a source address (-src) take its port
// at connect, where the kernel needs the port unique only for the source
// and destination pair, instead of at bind, where it searches the ports of
// the source address for one that no socket holds.
func bindLater(_, _ string, c syscall.RawConn) error {
	var err error
	if cerr := c.Control(func(fd uintptr) {
		err = unix.SetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_BIND_ADDRESS_NO_PORT, 1)
	}); cerr != nil {
		return cerr
	}
	return err
}
