package connection

import (
	"log/slog"
	"time"

	"github.com/workerman-go/workerman/internal/eventloop"
	"github.com/workerman-go/workerman/internal/spare"
	"github.com/workerman-go/workerman/internal/sweep"
)

// Sweep intervals of the output sweep: a quarter of the shortest timeout of
// its members, within these bounds.
const (
	minStallSweep = 10 * time.Millisecond
	maxStallSweep = time.Second
)

// pending is a connection's entry in the output sweep, kept while the
// connection has bytes the kernel has not taken.
type pending struct {
	c       *TcpConnection
	slot    int   // index in the sweep's set, -1 when not in it
	written int64 // BytesWritten at the last visit; -1 before the first
	since   int64 // when written last changed (nanoseconds since epoch)
	closing int64 // when the sweep first saw the connection closing; 0 before
}

func (p *pending) SweepSlot() *int { return &p.slot }

// outSweep bounds the connections whose output waits, with one repeating
// timer for the process instead of a timer per connection: a closing
// connection gets CloseTimeout to be written out, an established one
// WriteTimeout without progress. It runs only while some connection has
// pending output. Loop-only, like the tables of open connections.
type outSweep struct {
	set     sweep.Set[*pending]
	spare   spare.Stack[pending] // entries for reuse, up to maxSparePending
	victims []victim
	loop    *eventloop.Loop
	timer   eventloop.TimerID
	every   time.Duration
}

var outputs outSweep

var epoch = time.Now()

func nanotime() int64 { return int64(time.Since(epoch)) }

// watchOutput puts a connection whose send buffer holds bytes in the sweep.
// Loop-only; cheap when it is there already.
func (c *TcpConnection) watchOutput() {
	if c.out != nil || c.sock == nil || c.sock.Buffered() == 0 {
		return
	}
	every := c.sweepEvery()
	if every == 0 {
		return
	}
	p := outputs.entry()
	p.c, p.written, p.closing = c, -1, 0
	outputs.set.Add(p)
	c.out = p
	if outputs.timer == 0 || every < outputs.every {
		outputs.start(loop, every)
	}
}

// unwatchOutput takes a drained or closed connection out of the sweep. Loop-only.
func (c *TcpConnection) unwatchOutput() {
	p := c.out
	if p == nil {
		return
	}
	c.out = nil
	outputs.set.Remove(p)
	*p = pending{slot: -1}
	outputs.spare.Put(p, maxSparePending)
}

// maxSparePending bounds the sweep entries kept for reuse: enough for the
// connections one broadcast batch leaves waiting, few enough that a burst of
// slow clients does not pin its entries.
const maxSparePending = 1024

// entry is a sweep entry for a connection, a spare one when there is one.
func (s *outSweep) entry() *pending {
	if p := s.spare.Get(); p != nil {
		return p
	}
	return &pending{slot: -1}
}

// sweepEvery is how often this connection wants its output checked; 0 when
// neither timeout applies.
func (c *TcpConnection) sweepEvery() time.Duration {
	d := time.Duration(0)
	for _, t := range [...]time.Duration{c.closeTimeout(), c.writeTimeout()} {
		if t > 0 && (d == 0 || t < d) {
			d = t
		}
	}
	if d == 0 {
		return 0
	}
	return min(max(d/4, minStallSweep), maxStallSweep)
}

func (s *outSweep) start(l *eventloop.Loop, every time.Duration) {
	if s.timer != 0 {
		s.loop.DelTimer(s.timer)
	}
	s.loop, s.every = l, every
	s.timer = l.AddSystemTimer(every, true, s.sweep)
}

// stop ends the sweep's timer; the process's last connection stops it too,
// before a stopping loop drops its timers.
func (s *outSweep) stop() {
	if s.timer != 0 {
		s.loop.DelTimer(s.timer)
		s.timer, s.every = 0, 0
	}
}

// sweep destroys the connections whose output outlasted its timeout, and
// stops the timer when no connection has output waiting.
func (s *outSweep) sweep() {
	if s.set.Len() == 0 {
		s.stop()
		return
	}
	now := nanotime()
	for _, p := range s.set.Items() {
		if why, limit := p.expired(now); why != "" {
			s.victims = append(s.victims, victim{p.c, why, limit})
		}
	}
	for i, v := range s.victims {
		s.victims[i] = victim{}
		v.c.stalled(v.why, v.limit)
	}
	s.victims = s.victims[:0]
}

// victim is a connection the sweep destroys, and why.
type victim struct {
	c     *TcpConnection
	why   string
	limit time.Duration
}

// expired names the timeout the connection's output outlasted ("" for
// none) and its length.
func (p *pending) expired(now int64) (string, time.Duration) {
	c := p.c
	if c.sock == nil || c.sock.Closed() {
		return "", 0
	}
	if w := c.sock.BytesWritten; w != p.written {
		p.written, p.since = w, now
	} else if t := c.writeTimeout(); t > 0 && now-p.since >= int64(t) {
		return "write timeout", t
	}
	if c.Status() == StatusClosing && c.linger() == 0 {
		if p.closing == 0 {
			p.closing = now
		} else if t := c.closeTimeout(); t > 0 && now-p.closing >= int64(t) {
			return "close timeout", t
		}
	}
	return "", 0
}

// stalled destroys a connection whose peer stopped taking its output,
// releasing the output, and says why.
func (c *TcpConnection) stalled(why string, limit time.Duration) {
	slog.Warn("workerman: closing connection: "+why, "id", c.id, "remote", addrString(c.RemoteAddr()),
		"status", c.Status().String(), "unsent", c.SendBufferSize(), "timeout", limit)
	c.Destroy()
}
