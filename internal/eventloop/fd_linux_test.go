package eventloop

import (
	"net"
	"testing"

	"golang.org/x/sys/unix"
)

func TestADupOutlivesTheOriginalAndDoesNotBlock(t *testing.T) {
	nl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := nl.Addr().String()
	f, err := nl.(*net.TCPListener).File()
	if err != nil {
		t.Fatal(err)
	}
	fd, sa, err := dupBound(f)
	f.Close()
	nl.Close()
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	if got := sockaddrToAddr(sa).String(); got != addr {
		t.Fatalf("the dup is bound to %s, the original to %s", got, addr)
	}
	flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	if err != nil || flags&unix.O_NONBLOCK == 0 {
		t.Fatalf("the dup blocks (flags %#x, %v)", flags, err)
	}
	fdFlags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
	if err != nil || fdFlags&unix.FD_CLOEXEC == 0 {
		t.Fatalf("the dup is inherited by child processes (flags %#x, %v)", fdFlags, err)
	}
	if _, _, err := unix.Accept(fd); err != unix.EAGAIN {
		t.Fatalf("accept on the idle dup: %v, want EAGAIN", err)
	}
	c, err := net.Dial("tcp", addr) // the dup still listens
	if err != nil {
		t.Fatalf("dial after the original closed: %v", err)
	}
	c.Close()
}
