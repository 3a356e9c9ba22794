//go:build linux

package eventloop

import (
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

const epollAvailable = true

// pollable is anything registered with epoll.
type pollable interface {
	onEvent(events uint32)
}

// epoller waits with epoll_wait and is woken through an eventfd.
type epoller struct {
	l      *Loop
	epfd   int
	efd    int
	events []unix.EpollEvent
	fds    []pollable // by fd
	gens   []int32    // by fd; an event whose generation differs is stale
	gen    int32

	wmu    sync.RWMutex // keeps wake from writing to a closed (and reused) eventfd
	closed bool

	// The epoll fd itself is registered with the Go runtime's poller, so an
	// idle loop parks as a goroutine instead of blocking a thread in
	// epoll_wait: a thread back from a blocking system call must win a P again,
	// which costs tens of microseconds when other goroutines of the process
	// are busy.
	pf       *os.File
	rc       syscall.RawConn
	deadline time.Time // what pf's read deadline is set to
	ready    func(fd uintptr) bool
	n        int // what ready saw
	err      error
}

func newPoller(l *Loop) (poller, error) {
	if l.backend == Portable {
		return newPortablePoller(l), nil
	}
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("eventloop: epoll_create1: %w", err)
	}
	efd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		unix.Close(epfd)
		return nil, fmt.Errorf("eventloop: eventfd: %w", err)
	}
	p := &epoller{l: l, epfd: epfd, efd: efd, events: make([]unix.EpollEvent, 256)}
	if err := unix.SetNonblock(epfd, true); err != nil {
		p.close()
		return nil, fmt.Errorf("eventloop: epoll fd: %w", err)
	}
	p.ready = p.poll
	p.pf = os.NewFile(uintptr(epfd), "epoll")
	if p.rc, err = p.pf.SyscallConn(); err != nil {
		p.close()
		return nil, fmt.Errorf("eventloop: epoll fd: %w", err)
	}
	if err := p.ctl(unix.EPOLL_CTL_ADD, efd, unix.EPOLLIN, nil); err != nil {
		p.close()
		return nil, err
	}
	return p, nil
}

func (p *epoller) ctl(op, fd int, events uint32, obj pollable) error {
	if op == unix.EPOLL_CTL_ADD {
		if fd >= len(p.fds) {
			n := max(2*len(p.fds), fd+1, 64)
			p.fds = append(p.fds, make([]pollable, n-len(p.fds))...)
			p.gens = append(p.gens, make([]int32, n-len(p.gens))...)
		}
		p.gen++
		p.fds[fd], p.gens[fd] = obj, p.gen
	}
	ev := unix.EpollEvent{Events: events, Fd: int32(fd)}
	if fd < len(p.gens) {
		ev.Pad = p.gens[fd]
	}
	if err := unix.EpollCtl(p.epfd, op, fd, &ev); err != nil {
		return fmt.Errorf("eventloop: epoll_ctl: %w", err)
	}
	if op == unix.EPOLL_CTL_DEL {
		p.fds[fd], p.gens[fd] = nil, 0
	}
	return nil
}

// wait takes what is ready at once; only when nothing is does it park the
// loop goroutine in the runtime's poller until the epoll fd is readable or
// the timeout passes.
func (p *epoller) wait(timeout time.Duration) {
	n, err := unix.EpollWait(p.epfd, p.events, 0)
	if n == 0 && err == nil && timeout != 0 {
		var deadline time.Time
		if timeout > 0 {
			deadline = time.Now().Add(timeout)
		}
		if !deadline.Equal(p.deadline) {
			p.pf.SetReadDeadline(deadline)
			p.deadline = deadline
		}
		// A deadline that passes ends the wait with an error: a timer is due.
		p.n, p.err = 0, nil
		p.rc.Read(p.ready)
		n, err = p.n, p.err
	}
	if err != nil {
		if err != unix.EINTR {
			slog.Error("workerman: epoll_wait", "err", err)
		}
		return
	}
	for i := 0; i < n; i++ {
		ev := &p.events[i]
		fd := int(ev.Fd)
		if fd == p.efd {
			var buf [8]byte
			unix.Read(p.efd, buf[:])
			continue
		}
		if fd >= len(p.fds) || p.fds[fd] == nil || p.gens[fd] != ev.Pad {
			continue // closed earlier in this batch
		}
		p.fds[fd].onEvent(ev.Events)
		p.l.flush()
	}
	if n == len(p.events) && n < 4096 {
		p.events = make([]unix.EpollEvent, 2*n)
	}
}

// poll is the runtime poller's test of readiness: false parks the loop.
func (p *epoller) poll(fd uintptr) bool {
	p.n, p.err = unix.EpollWait(int(fd), p.events, 0)
	return p.n > 0 || p.err != nil
}

func (p *epoller) wake() {
	p.wmu.RLock()
	defer p.wmu.RUnlock()
	if p.closed {
		return
	}
	one := [8]byte{1}
	unix.Write(p.efd, one[:])
}

func (p *epoller) close() {
	p.wmu.Lock()
	p.closed = true
	unix.Close(p.efd)
	p.wmu.Unlock()
	if p.pf != nil {
		p.pf.Close() // closes epfd
		return
	}
	unix.Close(p.epfd)
}

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

// listen registers a dup of f's listening socket; the caller keeps f.
func (p *epoller) listen(ln *Listener, f *os.File) error {
	fd, sa, err := dupBound(f)
	if err != nil {
		return err
	}
	fl := &fdListener{p: p, ln: ln, fd: fd, unix: isUnix(sa)}
	ln.addr = sockaddrToAddr(sa)
	ln.io = fl
	if !ln.paused {
		if err := fl.register(); err != nil {
			unix.Close(fd)
			return err
		}
	}
	return nil
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
	fc := &fdConn{p: p, fd: fd}
	c := p.l.newConn(fc, nc.RemoteAddr(), nc.LocalAddr())
	fc.c = c
	if err := p.ctl(unix.EPOLL_CTL_ADD, fd, unix.EPOLLIN|unix.EPOLLRDHUP, fc); err != nil {
		delete(p.l.conns, c)
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

type fdListener struct {
	p          *epoller
	ln         *Listener
	fd         int
	unix       bool
	registered bool
	retry      TimerID
}

// register watches the listener. EPOLLEXCLUSIVE wakes one of the processes
// sharing the socket instead of all of them.
func (fl *fdListener) register() error {
	if fl.registered {
		return nil
	}
	if err := fl.p.ctl(unix.EPOLL_CTL_ADD, fl.fd, unix.EPOLLIN|unix.EPOLLEXCLUSIVE, fl); err != nil {
		return err
	}
	fl.registered = true
	return nil
}

func (fl *fdListener) unregister() {
	if fl.registered {
		fl.p.ctl(unix.EPOLL_CTL_DEL, fl.fd, 0, nil)
		fl.registered = false
	}
}

func (fl *fdListener) setAccept(on bool) {
	if on {
		if err := fl.register(); err != nil {
			slog.Error("workerman: resume accept", "err", err)
		}
	} else {
		fl.unregister()
	}
}

func (fl *fdListener) close() {
	fl.unregister()
	if fl.retry != 0 {
		fl.p.l.DelTimer(fl.retry)
	}
	unix.Close(fl.fd)
}

// onEvent accepts until the backlog is empty. Another process sharing the
// socket may have taken the connection first; EAGAIN is normal then.
func (fl *fdListener) onEvent(uint32) {
	l := fl.p.l
	for i := 0; i < 1024 && !fl.ln.paused && !fl.ln.closed; i++ {
		nfd, sa, err := unix.Accept4(fl.fd, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
		if err != nil {
			switch err {
			case unix.EAGAIN, unix.ECONNABORTED:
				return
			case unix.EINTR:
				continue
			case unix.EMFILE, unix.ENFILE, unix.ENOBUFS, unix.ENOMEM:
				// Out of descriptors: back off instead of spinning on a
				// listener that stays readable.
				slog.Error("workerman: accept", "err", err, "retry_in", "100ms")
				fl.unregister()
				fl.retry = l.AddSystemTimer(100*time.Millisecond, false, func() {
					fl.retry = 0
					if !fl.ln.paused && !fl.ln.closed {
						fl.register()
					}
				})
				return
			default:
				slog.Error("workerman: accept", "err", err)
				return
			}
		}
		if !fl.unix {
			unix.SetsockoptInt(nfd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
		}
		fc := &fdConn{p: fl.p, fd: nfd}
		var remote net.Addr
		if sa != nil {
			remote = sockaddrToAddr(sa)
		}
		if fl.unix && remote == nil {
			remote = &net.UnixAddr{Name: "", Net: "unix"}
		}
		local := fl.ln.addr
		if ta, ok := local.(*net.TCPAddr); ok && ta.IP.IsUnspecified() {
			if lsa, err := unix.Getsockname(nfd); err == nil {
				local = sockaddrToAddr(lsa)
			}
		}
		c := l.newConn(fc, remote, local)
		fc.c = c
		if err := fl.p.ctl(unix.EPOLL_CTL_ADD, nfd, unix.EPOLLIN|unix.EPOLLRDHUP, fc); err != nil {
			slog.Error("workerman: register connection", "err", err)
			delete(l.conns, c)
			unix.Close(nfd)
			continue
		}
		fl.ln.accept(c)
	}
}

// fdConn is a connection on the epoll backend.
type fdConn struct {
	p      *epoller
	c      *Conn
	fd     int
	events uint32
}

func (fc *fdConn) update() {
	ev := uint32(unix.EPOLLRDHUP)
	if !fc.c.paused {
		ev |= unix.EPOLLIN
	}
	if fc.c.queued {
		ev |= unix.EPOLLOUT
	}
	if ev != fc.events {
		fc.events = ev
		fc.p.ctl(unix.EPOLL_CTL_MOD, fc.fd, ev, fc)
	}
}

func (fc *fdConn) onEvent(events uint32) {
	c := fc.c
	if events&unix.EPOLLOUT != 0 && !c.closed {
		fc.flush(c)
	}
	if c.closed {
		return
	}
	if c.paused {
		if events&(unix.EPOLLERR|unix.EPOLLHUP) != 0 {
			c.closeWith(fc.sockErr())
		}
		return
	}
	if events&(unix.EPOLLIN|unix.EPOLLRDHUP|unix.EPOLLERR|unix.EPOLLHUP) == 0 {
		return
	}
	buf := c.loop.readBuf
	n, err := unix.Read(fc.fd, buf)
	switch {
	case n > 0:
		c.delivered(buf[:n])
	case n == 0 && err == nil:
		c.closeWith(nil)
	case err == unix.EAGAIN || err == unix.EINTR:
	default:
		c.closeWith(os.NewSyscallError("read", err))
	}
}

func (fc *fdConn) sockErr() error {
	if v, err := unix.GetsockoptInt(fc.fd, unix.SOL_SOCKET, unix.SO_ERROR); err == nil && v != 0 {
		return os.NewSyscallError("read", unix.Errno(v))
	}
	return nil
}

func (fc *fdConn) flush(c *Conn) {
	for c.sent < len(c.out) {
		n, err := unix.Write(fc.fd, c.out[c.sent:])
		if n > 0 {
			c.sent += n
			c.BytesWritten += int64(n)
		}
		switch {
		case err == nil:
		case err == unix.EINTR:
		case err == unix.EAGAIN:
			if !c.queued {
				c.queued = true
				fc.update()
			}
			fc.compact(c)
			return
		default:
			c.closeWith(os.NewSyscallError("write", err))
			return
		}
	}
	wasQueued := c.queued
	c.drained()
	if wasQueued && !c.closed {
		fc.update()
	}
}

// compact moves unsent bytes to the front once most of the buffer is sent, so
// a slow reader's buffer does not creep forward forever.
func (fc *fdConn) compact(c *Conn) {
	if c.sent > len(c.out)/2 {
		n := copy(c.out, c.out[c.sent:])
		c.out = c.out[:n]
		c.sent = 0
	}
}

func (fc *fdConn) setRead(c *Conn, on bool) { fc.update() }

func (fc *fdConn) shutdownWrite(c *Conn) error {
	return unix.Shutdown(fc.fd, unix.SHUT_WR)
}

func (fc *fdConn) close(c *Conn) {
	fc.p.ctl(unix.EPOLL_CTL_DEL, fc.fd, 0, nil)
	unix.Close(fc.fd)
}

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
	if err := fp.p.ctl(unix.EPOLL_CTL_ADD, fp.fd, unix.EPOLLIN|unix.EPOLLEXCLUSIVE, fp); err != nil {
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
		fp.p.ctl(unix.EPOLL_CTL_DEL, fp.fd, 0, nil)
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
	var sa unix.Sockaddr
	if ip4 := ua.IP.To4(); ip4 != nil && !fp.v6 {
		a := &unix.SockaddrInet4{Port: ua.Port}
		copy(a.Addr[:], ip4)
		sa = a
	} else {
		a := &unix.SockaddrInet6{Port: ua.Port}
		copy(a.Addr[:], ua.IP.To16())
		sa = a
	}
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

// toUDP turns the address of a datagram socket into a UDPAddr.
func toUDP(a net.Addr) net.Addr {
	if t, ok := a.(*net.TCPAddr); ok {
		return &net.UDPAddr{IP: t.IP, Port: t.Port, Zone: t.Zone}
	}
	return a
}

func isUnix(sa unix.Sockaddr) bool {
	_, ok := sa.(*unix.SockaddrUnix)
	return ok
}

func sockaddrToAddr(sa unix.Sockaddr) net.Addr {
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return &net.TCPAddr{IP: net.IP(append([]byte(nil), a.Addr[:]...)), Port: a.Port}
	case *unix.SockaddrInet6:
		addr := &net.TCPAddr{IP: net.IP(append([]byte(nil), a.Addr[:]...)), Port: a.Port}
		if a.ZoneId != 0 {
			if ifi, err := net.InterfaceByIndex(int(a.ZoneId)); err == nil {
				addr.Zone = ifi.Name
			}
		}
		if ip4 := addr.IP.To4(); ip4 != nil && isMapped(a.Addr[:]) {
			addr.IP = ip4
		}
		return addr
	case *unix.SockaddrUnix:
		return &net.UnixAddr{Name: a.Name, Net: "unix"}
	}
	return nil
}

func isMapped(ip []byte) bool {
	for _, b := range ip[:10] {
		if b != 0 {
			return false
		}
	}
	return ip[10] == 0xff && ip[11] == 0xff
}
