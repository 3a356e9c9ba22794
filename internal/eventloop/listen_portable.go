package eventloop

import (
	"errors"
	"net"
	"os"
	"sync"
	"time"
)

func (p *portablePoller) listen(ln *Listener, f *os.File) error {
	nl, err := net.FileListener(f)
	if err != nil {
		return err
	}
	pl := &netListener{l: p.l, ln: ln, nl: nl, accepting: !ln.paused, errLog: logLimiter{every: AcceptLogInterval}}
	pl.cond = sync.NewCond(&pl.mu)
	ln.addr = nl.Addr()
	ln.io = pl
	p.l.wg.Add(1)
	go pl.acceptLoop()
	return nil
}

// netListener accepts on its own goroutine and hands connections to the loop.
type netListener struct {
	l  *Loop
	ln *Listener
	nl net.Listener

	mu        sync.Mutex
	cond      *sync.Cond
	accepting bool
	closed    bool

	errLog logLimiter // the accept goroutine's alone

	// Connections the goroutine had already taken when the listener paused:
	// they wait for Resume as those in the kernel's backlog do. Loop-only.
	held []net.Conn
}

// portableAcceptRetry is how long the accept goroutine waits after an error.
const portableAcceptRetry = 10 * time.Millisecond

func (pl *netListener) acceptLoop() {
	defer pl.l.wg.Done()
	for {
		pl.mu.Lock()
		for !pl.accepting && !pl.closed {
			pl.cond.Wait()
		}
		closed := pl.closed
		pl.mu.Unlock()
		if closed {
			return
		}
		nc, err := pl.nl.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			logAcceptError(&pl.errLog, err, portableAcceptRetry)
			time.Sleep(portableAcceptRetry)
			continue
		}
		pl.l.Post(func() { pl.accepted(nc) })
	}
}

func (pl *netListener) accepted(nc net.Conn) {
	l := pl.l
	if pl.ln.closed || l.stopping {
		nc.Close()
		return
	}
	if pl.ln.paused {
		pl.held = append(pl.held, nc)
		return
	}
	c, _ := l.poll.adopt(nc)
	pl.ln.accept(c)
	l.poll.start(c)
}

func (pl *netListener) setAccept(on bool) {
	pl.mu.Lock()
	pl.accepting = on
	pl.cond.Broadcast()
	pl.mu.Unlock()
	if on && len(pl.held) > 0 {
		// From a task: Resume may be called from inside an accept callback.
		held := pl.held
		pl.held = nil
		pl.l.Post(func() {
			for _, nc := range held {
				pl.accepted(nc)
			}
		})
	}
}

func (pl *netListener) close() {
	pl.mu.Lock()
	pl.closed = true
	pl.cond.Broadcast()
	pl.mu.Unlock()
	pl.nl.Close()
	for _, nc := range pl.held {
		nc.Close()
	}
	pl.held = nil
}
