package eventloop

import (
	"fmt"
	"log/slog"
	"net"
	"os"
	"time"
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

// Accept errors that repeat (out of descriptors, a listener fails on every
// retry) are logged once per AcceptLogInterval, with the count of those held
// back, so that a process under descriptor exhaustion does not flood its log.
const AcceptLogInterval = 5 * time.Second

// acceptRetry is how long a listener out of descriptors waits before it tries
// again (the epoll backend; the portable one waits portableAcceptRetry).
const acceptRetry = 100 * time.Millisecond

// logLimiter lets one line through per interval and counts the others.
type logLimiter struct {
	every      time.Duration
	last       time.Time
	logged     bool
	suppressed int
}

// allow reports whether a line may be logged at now and how many were held
// back since the last one that was.
func (r *logLimiter) allow(now time.Time) (ok bool, suppressed int) {
	if r.logged && now.Sub(r.last) < r.every {
		r.suppressed++
		return false, 0
	}
	n := r.suppressed
	r.last, r.logged, r.suppressed = now, true, 0
	return true, n
}

// logAcceptError logs a failed accept through r: at most one line per
// interval, saying how many failures it stands for.
func logAcceptError(r *logLimiter, err error, retry time.Duration) {
	ok, suppressed := r.allow(time.Now())
	if !ok {
		return
	}
	slog.Error("workerman: accept", "err", err, "retry_in", retry.String(), "suppressed", suppressed)
}
