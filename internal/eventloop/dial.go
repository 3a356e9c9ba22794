package eventloop

import (
	"context"
	"net"
	"sync"
	"time"
)

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
