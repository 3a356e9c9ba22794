//go:build linux

package eventloop

import (
	"os"

	"golang.org/x/sys/unix"
)

// fdConn is a connection on the epoll backend: the Conn itself, seen as its
// own connIO, so that it costs no record of its own; its poller is its
// loop's.
type fdConn Conn

// asFd makes c a connection of the epoll backend on fd, to be registered
// for reading.
func (c *Conn) asFd(fd int) {
	c.fd = int32(fd)
	c.set(connWantIn, true)
}

// backend is what does c's I/O: c itself on the epoll backend.
func (c *Conn) backend() connIO {
	if c.portable != nil {
		return c.portable
	}
	return (*fdConn)(c)
}

func (fc *fdConn) conn() *Conn { return (*Conn)(fc) }

func (fc *fdConn) poller() *epoller { return fc.loop.poll.(*epoller) }

// events is what c is registered for, or is to be when it is added.
func (c *Conn) events() uint32 {
	ev := uint32(unix.EPOLLRDHUP)
	if c.is(connWantIn) {
		ev |= unix.EPOLLIN
	}
	if c.is(connWantOut) {
		ev |= unix.EPOLLOUT
	}
	return ev
}

func (fc *fdConn) update() {
	c := fc.conn()
	in, out := !c.is(connPaused), c.waiting() > 0
	if in != c.is(connWantIn) || out != c.is(connWantOut) {
		c.set(connWantIn, in)
		c.set(connWantOut, out)
		fc.poller().ctl(unix.EPOLL_CTL_MOD, int(fc.fd), c.events())
	}
}

func (fc *fdConn) onEvent(events uint32) {
	c := fc.conn()
	if events&unix.EPOLLOUT != 0 && !c.is(connClosed) {
		fc.flush(c)
	}
	if c.is(connClosed) {
		return
	}
	if c.is(connPaused) {
		if events&(unix.EPOLLERR|unix.EPOLLHUP) != 0 {
			c.closeWith(fc.sockErr())
		}
		return
	}
	if events&(unix.EPOLLIN|unix.EPOLLRDHUP|unix.EPOLLERR|unix.EPOLLHUP) == 0 {
		return
	}
	buf := c.loop.readBuf
	n, err := unix.Read(int(fc.fd), buf)
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
	if v, err := unix.GetsockoptInt(int(fc.fd), unix.SOL_SOCKET, unix.SO_ERROR); err == nil && v != 0 {
		return os.NewSyscallError("read", unix.Errno(v))
	}
	return nil
}

func (fc *fdConn) flush(c *Conn) {
	done, err := fc.write(c)
	switch {
	case err != nil:
		c.closeWith(err)
	case done:
		c.drained()
	}
}

func (fc *fdConn) push(c *Conn) {
	done, err := fc.write(c)
	switch {
	case err != nil:
		c.loop.later = append(c.loop.later, later{c: c, err: err})
	case done:
		c.drainedLater()
	}
}

// write hands the kernel what it takes. Once it has every byte the buffer
// goes back at once; what it cannot take yet waits for writability.
func (fc *fdConn) write(c *Conn) (done bool, err error) {
	for c.waiting() > 0 {
		o := c.out
		n, err := unix.Write(int(fc.fd), o.b[o.sent:])
		if n > 0 {
			o.sent += n
			c.BytesWritten += int64(n)
		}
		switch {
		case err == nil:
		case err == unix.EINTR:
		case err == unix.EAGAIN:
			c.set(connQueued, true)
			fc.update()
			fc.compact(c)
			return false, nil
		default:
			return false, os.NewSyscallError("write", err)
		}
	}
	c.retire()
	fc.update() // stop watching for writability
	return true, nil
}

// compact moves unsent bytes to the front once most of the buffer is sent, so
// a slow reader's buffer does not creep forward forever.
func (fc *fdConn) compact(c *Conn) {
	if o := c.out; o.sent > len(o.b)/2 {
		n := copy(o.b, o.b[o.sent:])
		o.b = o.b[:n]
		o.sent = 0
	}
}

func (fc *fdConn) setRead(c *Conn, on bool) { fc.update() }

func (fc *fdConn) shutdownWrite(c *Conn) error {
	return unix.Shutdown(int(fc.fd), unix.SHUT_WR)
}

func (fc *fdConn) close(c *Conn) {
	fc.poller().delConn(c)
	unix.Close(int(fc.fd))
}
