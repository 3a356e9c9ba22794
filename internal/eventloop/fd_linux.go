//go:build linux

package eventloop

import (
	"fmt"
	"net"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// dupBound dups the bound socket in f, non-blocking, and tells its address.
func dupBound(f *os.File) (int, unix.Sockaddr, error) {
	fd, err := dupNonblock(f)
	if err != nil {
		return -1, nil, err
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		unix.Close(fd)
		return -1, nil, fmt.Errorf("eventloop: getsockname: %w", err)
	}
	return fd, sa, nil
}

// adopt moves a connected socket from the Go runtime's poller to epoll.
func (p *epoller) adopt(nc net.Conn) (*Conn, error) {
	defer nc.Close()
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return nil, fmt.Errorf("eventloop: cannot adopt %T", nc)
	}
	fd, err := dupNonblock(sc)
	if err != nil {
		return nil, err
	}
	c := p.l.newConn(nc.RemoteAddr(), nc.LocalAddr())
	c.asFd(fd)
	if err := p.addConn(c); err != nil {
		unix.Close(fd)
		return nil, err
	}
	return c, nil
}

func (p *epoller) start(*Conn) {}

func dupNonblock(f syscall.Conn) (int, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return -1, err
	}
	fd := -1
	var derr error
	if err := rc.Control(func(s uintptr) {
		fd, derr = unix.FcntlInt(s, unix.F_DUPFD_CLOEXEC, 0)
	}); err != nil {
		return -1, err
	}
	if derr != nil {
		return -1, fmt.Errorf("eventloop: dup listener: %w", derr)
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}
