package eventloop

import (
	"errors"
	"log/slog"
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
	pl := &netListener{l: p.l, ln: ln, nl: nl, accepting: !ln.paused}
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
}

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
			slog.Error("workerman: accept", "err", err)
			time.Sleep(10 * time.Millisecond)
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
	c, _ := l.poll.adopt(nc)
	pl.ln.accept(c)
	l.poll.start(c)
}

func (pl *netListener) setAccept(on bool) {
	pl.mu.Lock()
	pl.accepting = on
	pl.cond.Broadcast()
	pl.mu.Unlock()
}

func (pl *netListener) close() {
	pl.mu.Lock()
	pl.closed = true
	pl.cond.Broadcast()
	pl.mu.Unlock()
	pl.nl.Close()
}
