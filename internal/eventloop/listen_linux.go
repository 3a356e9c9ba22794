//go:build linux

package eventloop

import (
	"bytes"
	"log/slog"
	"net"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// listen registers a dup of f's listening socket; the caller keeps f.
func (p *epoller) listen(ln *Listener, f *os.File) error {
	fd, sa, err := dupBound(f)
	if err != nil {
		return err
	}
	fl := &fdListener{p: p, ln: ln, fd: fd, unix: isUnix(sa), errLog: logLimiter{every: AcceptLogInterval}}
	ln.addr = sockaddrToAddr(sa)
	fl.own = &addrPair{local: ln.addr}
	ln.io = fl
	if !ln.paused {
		if err := fl.register(); err != nil {
			unix.Close(fd)
			return err
		}
	}
	return nil
}

type fdListener struct {
	p          *epoller
	ln         *Listener
	fd         int
	unix       bool
	registered bool
	retry      TimerID
	errLog     logLimiter

	// What accept and getsockname fill in, here so that neither allocates.
	sa    unix.RawSockaddrAny
	saLen uint32
	// locals are the local addresses of a listener on an unspecified
	// address, one per address its connections arrived at, each in a pair
	// with no peer.
	locals  map[[16]byte]*addrPair
	own     *addrPair // the listener's address, for connections to it
	unnamed *addrPair // the addresses of every unnamed unix client
}

// maxLocals bounds fdListener.locals; a connection to an address past it
// gets an address of its own.
const maxLocals = 64

// unnamedUnix is the peer of a unix socket connection: its client is unnamed.
var unnamedUnix net.Addr = &net.UnixAddr{Name: "", Net: "unix"}

// accept takes the next connection, its peer's address into fl.sa.
func (fl *fdListener) accept() (int, error) {
	fl.saLen = unix.SizeofSockaddrAny
	fd, _, errno := unix.Syscall6(unix.SYS_ACCEPT4, uintptr(fl.fd), uintptr(unsafe.Pointer(&fl.sa)),
		uintptr(unsafe.Pointer(&fl.saLen)), unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0, 0)
	if errno != 0 {
		return -1, errno
	}
	return int(fd), nil
}

// newConn makes the Conn of fd, just accepted, with the peer's address that
// accept left in fl.sa: inline for TCP, and for an unnamed unix client the
// listener's one pair of addresses.
func (fl *fdListener) newConn(fd int) *Conn {
	c := &Conn{loop: fl.p.l}
	c.asFd(fd)
	switch fl.sa.Addr.Family {
	case unix.AF_INET:
		a := (*unix.RawSockaddrInet4)(unsafe.Pointer(&fl.sa))
		c.peerIP[10], c.peerIP[11] = 0xff, 0xff
		copy(c.peerIP[12:], a.Addr[:])
		c.peerPort = portOf(a.Port)
	case unix.AF_INET6:
		a := (*unix.RawSockaddrInet6)(unsafe.Pointer(&fl.sa))
		if a.Scope_id == 0 {
			c.peerIP = a.Addr
			c.peerPort = portOf(a.Port)
		}
	}
	if c.peerPort != 0 {
		c.addrs = fl.localOf(fd) // getsockname overwrites fl.sa: after the peer
		return c
	}
	var remote net.Addr
	if sa := rawToSockaddr(&fl.sa, fl.saLen); sa != nil {
		if a := sockaddrToAddr(sa); a != nil && (!fl.unix || a.(*net.UnixAddr).Name != "") {
			remote = a
		}
	}
	if remote == nil && fl.unix {
		if fl.unnamed == nil {
			fl.unnamed = &addrPair{unnamedUnix, fl.ln.addr}
		}
		c.addrs = fl.unnamed
		return c
	}
	c.addrs = &addrPair{remote, fl.localOf(fd).local}
	return c
}

// portOf reads a port in network byte order.
func portOf(p uint16) uint16 {
	b := (*[2]byte)(unsafe.Pointer(&p))
	return uint16(b[0])<<8 | uint16(b[1])
}

// localOf is the local address of fd, a connection fl accepted, in a pair
// with no peer: the listener's own unless it listens on an unspecified
// address, and then one pair shared by the connections that arrived at the
// same address.
func (fl *fdListener) localOf(fd int) *addrPair {
	ta, ok := fl.ln.addr.(*net.TCPAddr)
	if !ok || !ta.IP.IsUnspecified() {
		return fl.own
	}
	fl.saLen = unix.SizeofSockaddrAny
	_, _, errno := unix.RawSyscall(unix.SYS_GETSOCKNAME, uintptr(fd), uintptr(unsafe.Pointer(&fl.sa)), uintptr(unsafe.Pointer(&fl.saLen)))
	if errno != 0 {
		return fl.own
	}
	var key [16]byte
	switch fl.sa.Addr.Family {
	case unix.AF_INET:
		key[10], key[11] = 0xff, 0xff
		copy(key[12:], (*unix.RawSockaddrInet4)(unsafe.Pointer(&fl.sa)).Addr[:])
	case unix.AF_INET6:
		a := (*unix.RawSockaddrInet6)(unsafe.Pointer(&fl.sa))
		if a.Scope_id != 0 {
			break
		}
		key = a.Addr
	}
	if pair, ok := fl.locals[key]; ok && key != ([16]byte{}) {
		return pair
	}
	sa := rawToSockaddr(&fl.sa, fl.saLen)
	if sa == nil {
		return fl.own
	}
	pair := &addrPair{local: sockaddrToAddr(sa)}
	if key != ([16]byte{}) && len(fl.locals) < maxLocals {
		if fl.locals == nil {
			fl.locals = map[[16]byte]*addrPair{}
		}
		fl.locals[key] = pair
	}
	return pair
}

// register watches the listener. EPOLLEXCLUSIVE wakes one of the processes
// sharing the socket instead of all of them.
func (fl *fdListener) register() error {
	if fl.registered {
		return nil
	}
	if err := fl.p.watch(fl.fd, unix.EPOLLIN|unix.EPOLLEXCLUSIVE, fl); err != nil {
		return err
	}
	fl.registered = true
	return nil
}

func (fl *fdListener) unregister() {
	if fl.registered {
		fl.p.unwatch(fl.fd)
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
		nfd, err := fl.accept()
		if err != nil {
			switch err {
			case unix.EAGAIN, unix.ECONNABORTED:
				return
			case unix.EINTR:
				continue
			case unix.EMFILE, unix.ENFILE, unix.ENOBUFS, unix.ENOMEM:
				// Out of descriptors: back off instead of spinning on a
				// listener that stays readable.
				logAcceptError(&fl.errLog, err, acceptRetry)
				fl.unregister()
				fl.retry = l.AddSystemTimer(acceptRetry, Once, func() {
					fl.retry = 0
					if !fl.ln.paused && !fl.ln.closed {
						fl.register()
					}
				})
				return
			default:
				logAcceptError(&fl.errLog, err, 0)
				return
			}
		}
		if !fl.unix {
			unix.SetsockoptInt(nfd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
		}
		c := fl.newConn(nfd)
		if err := fl.p.addConn(c); err != nil {
			slog.Error("workerman: register connection", "err", err)
			unix.Close(nfd)
			continue
		}
		fl.ln.accept(c)
	}
}

// rawToSockaddr decodes the n bytes accept or getsockname filled in, nil for
// a family other than IPv4, IPv6 and unix.
func rawToSockaddr(rsa *unix.RawSockaddrAny, n uint32) unix.Sockaddr {
	switch rsa.Addr.Family {
	case unix.AF_INET:
		a := (*unix.RawSockaddrInet4)(unsafe.Pointer(rsa))
		return &unix.SockaddrInet4{Port: int(portOf(a.Port)), Addr: a.Addr}
	case unix.AF_INET6:
		a := (*unix.RawSockaddrInet6)(unsafe.Pointer(rsa))
		return &unix.SockaddrInet6{Port: int(portOf(a.Port)), ZoneId: a.Scope_id, Addr: a.Addr}
	case unix.AF_UNIX:
		a := (*unix.RawSockaddrUnix)(unsafe.Pointer(rsa))
		path := (*[len(a.Path)]byte)(unsafe.Pointer(&a.Path))[:]
		path = path[:min(max(int(n)-2, 0), len(path))] // 2: the family
		if len(path) > 0 && path[0] == 0 {
			// abstract: the name starts with a NUL byte and may hold more
			return &unix.SockaddrUnix{Name: "@" + string(path[1:])}
		}
		if i := bytes.IndexByte(path, 0); i >= 0 {
			path = path[:i]
		}
		return &unix.SockaddrUnix{Name: string(path)}
	}
	return nil
}
