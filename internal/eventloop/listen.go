package eventloop

import (
	"fmt"
	"net"
	"os"
)

// Listen makes the loop accept connections on a dup of the listening socket in
// f (the caller keeps f). accept runs on the loop for each new connection and
// must call SetHandler on it. A listener made paused waits for Resume. Loop-only.
func (l *Loop) Listen(f *os.File, paused bool, accept func(c *Conn)) (*Listener, error) {
	if l.poll == nil {
		return nil, ErrStopped
	}
	ln := &Listener{loop: l, accept: accept, paused: paused}
	if err := l.poll.listen(ln, f); err != nil {
		return nil, fmt.Errorf("eventloop: listen: %w", err)
	}
	l.lns[ln] = struct{}{}
	return ln, nil
}

// Listener accepts connections for a loop.
type Listener struct {
	loop   *Loop
	io     listenerIO
	accept func(c *Conn)
	paused bool
	closed bool
	addr   net.Addr
}

type listenerIO interface {
	setAccept(on bool)
	close()
}

// Addr is the address the listener is bound to. Safe from any goroutine.
func (ln *Listener) Addr() net.Addr { return ln.addr }

// Pause stops accepting; pending connections wait in the kernel's backlog. Loop-only.
func (ln *Listener) Pause() {
	if ln.paused || ln.closed {
		return
	}
	ln.paused = true
	ln.io.setAccept(false)
}

// Resume starts accepting again. Loop-only.
func (ln *Listener) Resume() {
	if !ln.paused || ln.closed {
		return
	}
	ln.paused = false
	ln.io.setAccept(true)
}

// Close stops accepting and closes the loop's copy of the listening socket. Loop-only.
func (ln *Listener) Close() {
	if ln.closed {
		return
	}
	ln.closed = true
	ln.io.close()
	delete(ln.loop.lns, ln)
}
