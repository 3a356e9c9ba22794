package eventloop

import (
	"fmt"
	"os"
	"time"
)

// poller is a backend's way of waiting: for sockets, for a wake-up from
// another goroutine, or for the next timer.
type poller interface {
	// wait sleeps at most timeout (-1: until woken) and dispatches what is ready.
	wait(timeout time.Duration)
	// wake ends a wait early. Safe from any goroutine.
	wake()
	close()
	// listen starts watching a dup of f's listening socket.
	listen(ln *Listener, f *os.File) error
}

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
