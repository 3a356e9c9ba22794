//go:build linux

package eventloop

import (
	"fmt"
	"log/slog"
	"net"
	"os"

	"golang.org/x/sys/unix"
)

func (p *epoller) listenPacket(pc *PacketConn, f *os.File) error {
	fd, sa, err := dupBound(f)
	if err != nil {
		return err
	}
	_, v6 := sa.(*unix.SockaddrInet6)
	fp := &fdPacket{p: p, pc: pc, fd: fd, v6: v6}
	pc.addr = toUDP(sockaddrToAddr(sa))
	pc.io = fp
	if err := fp.register(); err != nil {
		unix.Close(fd)
		return err
	}
	return nil
}

// fdPacket is a datagram socket on the epoll backend.
type fdPacket struct {
	p          *epoller
	pc         *PacketConn
	fd         int
	v6         bool
	registered bool
}

func (fp *fdPacket) register() error {
	if err := fp.p.watch(fp.fd, unix.EPOLLIN|unix.EPOLLEXCLUSIVE, fp); err != nil {
		return err
	}
	fp.registered = true
	return nil
}

func (fp *fdPacket) setRead(on bool) {
	switch {
	case on && !fp.registered:
		if err := fp.register(); err != nil {
			slog.Error("workerman: resume datagrams", "err", err)
		}
	case !on && fp.registered:
		fp.p.unwatch(fp.fd)
		fp.registered = false
	}
}

func (fp *fdPacket) close() {
	fp.setRead(false)
	unix.Close(fp.fd)
}

// onEvent reads a bounded batch of datagrams, so that one busy socket cannot
// starve the loop's other work.
func (fp *fdPacket) onEvent(uint32) {
	pc := fp.pc
	buf := pc.loop.readBuf
	for i := 0; i < 64 && !pc.paused && !pc.closed; i++ {
		n, sa, err := unix.Recvfrom(fp.fd, buf, 0)
		switch err {
		case nil:
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return
		default:
			slog.Error("workerman: recvfrom", "err", err)
			return
		}
		pc.onPacket(pc, buf[:n], toUDP(sockaddrToAddr(sa)))
		pc.loop.flush()
	}
}

func (fp *fdPacket) writeTo(b []byte, to net.Addr) error {
	ua, ok := to.(*net.UDPAddr)
	if !ok {
		return fmt.Errorf("eventloop: cannot send a datagram to %T", to)
	}
	sa := udpToSockaddr(ua, fp.v6)
	for {
		err := unix.Sendto(fp.fd, b, 0, sa)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return os.NewSyscallError("sendto", err)
		}
		return nil
	}
}
