package eventloop

import (
	"time"
)

// portablePoller sleeps on a channel: every socket event reaches the loop as a
// task posted by a reader, writer or accept goroutine.
type portablePoller struct {
	l     *Loop
	ch    chan struct{}
	timer *time.Timer
	conns map[*Conn]struct{} // open connections; loop-only
}

func (p *portablePoller) eachConn(fn func(c *Conn)) {
	for c := range p.conns {
		fn(c)
	}
}

func newPortablePoller(l *Loop) *portablePoller {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return &portablePoller{l: l, ch: make(chan struct{}, 1), timer: t, conns: map[*Conn]struct{}{}}
}

func (p *portablePoller) wait(timeout time.Duration) {
	switch {
	case timeout == 0:
		select {
		case <-p.ch:
		default:
		}
	case timeout < 0:
		<-p.ch
	default:
		p.timer.Reset(timeout)
		select {
		case <-p.ch:
		case <-p.timer.C:
		}
		p.timer.Stop()
	}
}

func (p *portablePoller) wake() {
	select {
	case p.ch <- struct{}{}:
	default:
	}
}

func (p *portablePoller) close() {}
