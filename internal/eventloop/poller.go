package eventloop

import (
	"context"
	"fmt"
	"net"
	"os"
	"sync"
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
	// adopt takes over a connected socket; start begins delivering its
	// events once the caller has set its handler.
	adopt(nc net.Conn) (*Conn, error)
	start(c *Conn)
	// listenPacket starts reading a dup of f's datagram socket.
	listenPacket(pc *PacketConn, f *os.File) error
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

// dialer connects in goroutines and hands the sockets to the loop; once the
// loop stops, late connections are closed instead.
type dialer struct {
	mu      sync.Mutex
	stopped bool
	ctx     context.Context
	cancel  context.CancelFunc
}

func (d *dialer) reset() {
	d.mu.Lock()
	d.stopped = false
	d.ctx, d.cancel = context.WithCancel(context.Background())
	d.mu.Unlock()
}

func (d *dialer) stop() {
	d.mu.Lock()
	d.stopped = true
	if d.cancel != nil {
		d.cancel()
	}
	d.mu.Unlock()
}

// Dial connects to address in the background (network "tcp" or "unix") and
// calls done on the loop with the new connection, which must get a handler
// before done returns, or with the error. Safe from any goroutine; the loop
// must be running.
func (l *Loop) Dial(network, address string, timeout time.Duration, done func(c *Conn, err error)) {
	d := &l.dial
	d.mu.Lock()
	ctx := d.ctx
	if d.stopped || ctx == nil {
		d.mu.Unlock()
		done(nil, ErrStopped)
		return
	}
	l.wg.Add(1)
	d.mu.Unlock()
	go func() {
		defer l.wg.Done()
		nd := net.Dialer{Timeout: timeout}
		nc, err := nd.DialContext(ctx, network, address)
		d.mu.Lock()
		defer d.mu.Unlock()
		if d.stopped {
			if nc != nil {
				nc.Close()
			}
			return
		}
		l.Post(func() {
			if err != nil {
				done(nil, err)
				return
			}
			c, err := l.poll.adopt(nc)
			if err != nil {
				done(nil, err)
				return
			}
			done(c, nil)
			l.poll.start(c)
		})
	}()
}
