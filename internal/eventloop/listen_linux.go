//go:build linux

package eventloop

import (
	"log/slog"
	"net"
	"os"

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
		fc := &fdConn{p: fl.p, fd: nfd, events: unix.EPOLLIN | unix.EPOLLRDHUP}
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
		if err := fl.p.ctl(unix.EPOLL_CTL_ADD, nfd, fc.events, fc); err != nil {
			slog.Error("workerman: register connection", "err", err)
			delete(l.conns, c)
			unix.Close(nfd)
			continue
		}
		fl.ln.accept(c)
	}
}
