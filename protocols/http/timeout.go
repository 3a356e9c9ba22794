package http

import (
	"log/slog"
	"time"

	"github.com/workerman-go/workerman/internal/eventloop"
	"github.com/workerman-go/workerman/internal/sweep"
)

// Timeout defaults; Protocol fields of zero mean these.
const (
	// DefaultHeaderTimeout is how long a request head may take to arrive,
	// counted from its first byte (or from the accept): it cuts off clients
	// that dribble a head byte by byte (slowloris).
	DefaultHeaderTimeout = 20 * time.Second
	// DefaultIdleTimeout is how long a keep-alive connection may wait for its
	// next request, and how long a request body may pause between reads.
	DefaultIdleTimeout = 60 * time.Second
)

// Sweep intervals: a quarter of the shortest timeout, within these bounds.
const (
	minSweep = 10 * time.Millisecond
	maxSweep = time.Second
)

var epoch = time.Now()

// sweeper enforces the timeouts of every HTTP connection of the process with
// one repeating timer instead of a timer per request: connections stamp
// phase changes with a coarse clock the sweeper advances, so the request
// path reads a field instead of the time. Loop-only, like the loop it runs on.
type sweeper struct {
	conns   sweep.Set[*connState]
	victims []*connState
	timer   eventloop.TimerID
	every   time.Duration
	tick    int64 // the coarse clock
}

var clock sweeper

// now is the coarse clock: exact to one sweep interval.
func (s *sweeper) now() int64 { return s.tick }

func nanotime() int64 { return int64(time.Since(epoch)) }

func (p *Protocol) sweepEvery() time.Duration {
	d := maxSweep
	for _, t := range [...]time.Duration{p.headerTimeout(), p.idleTimeout()} {
		if t > 0 {
			d = min(d, t/4)
		}
	}
	return max(d, minSweep)
}

// track adds a new connection to the sweep, starting the sweep timer when it
// is the first, or when its protocol wants a finer one.
func (s *sweeper) track(st *connState) {
	if st.p.headerTimeout() <= 0 && st.p.idleTimeout() <= 0 {
		return
	}
	every := st.p.sweepEvery()
	if s.timer == 0 || every < s.every {
		s.start(every, nanotime())
	}
	s.conns.Add(st)
	st.enter(phaseHead)
}

func (s *sweeper) start(every time.Duration, t int64) {
	l := eventloop.Default()
	if s.timer != 0 {
		l.DelTimer(s.timer)
	}
	s.every, s.tick = every, t
	s.timer = l.AddSystemTimer(every, true, s.sweep)
}

// untrack removes a connection that closed or became an event stream.
func (s *sweeper) untrack(st *connState) {
	if st.slot < 0 {
		return
	}
	s.conns.Remove(st)
	if s.conns.Len() == 0 && s.timer != 0 {
		eventloop.Default().DelTimer(s.timer)
		s.timer, s.every = 0, 0
	}
}

// sweep closes the connections whose phase outlasted its timeout.
func (s *sweeper) sweep() {
	now := nanotime()
	s.tick = now
	for _, st := range s.conns.Items() {
		if st.expired(now) {
			s.victims = append(s.victims, st)
		}
	}
	for i, st := range s.victims {
		s.victims[i] = nil
		st.timeout()
	}
	s.victims = s.victims[:0]
}

type byteCounter interface{ BytesWritten() int64 }

func (st *connState) expired(now int64) bool {
	var limit time.Duration
	switch st.phase {
	case phaseHead:
		limit = st.p.headerTimeout()
	case phaseBody:
		limit = st.p.idleTimeout()
	case phaseIdle:
		limit = st.p.idleTimeout()
		// A response still going out to a slow reader is not idleness, as
		// long as the reader keeps taking bytes.
		if bc, ok := st.c.(byteCounter); ok && st.c.SendBufferSize() > 0 {
			if w := bc.BytesWritten(); w != st.written {
				st.written = w
				st.since = now
				return false
			}
		}
	default:
		return false
	}
	return limit > 0 && now-st.since >= int64(limit)
}

var reply408 = []byte("HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n")

// timeout ends a connection that waited too long. A client that started a
// request is told why; an idle keep-alive connection is simply closed.
func (st *connState) timeout() {
	slog.Debug("workerman: http timeout", "id", st.c.ID(), "remote", st.c.RemoteAddr(), "phase", st.phase)
	if st.phase == phaseIdle || (st.phase == phaseHead && !st.f.started()) {
		st.c.Close()
		return
	}
	st.c.End(reply408)
}
