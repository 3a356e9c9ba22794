package http

import (
	"log/slog"
	"time"

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

// clock enforces the timeouts of every HTTP connection of the process with
// one repeating timer instead of a timer per request: connections stamp
// phase changes with its coarse clock (clock.Now), so the request path reads
// a field instead of the time. Loop-only, like the loop it runs on.
var clock = sweep.Sweeper[*connState]{
	Due: (*connState).expired,
	Act: (*connState).timeout,
}

func (p *Protocol) sweepEvery() time.Duration {
	d := maxSweep
	for _, t := range [...]time.Duration{p.headerTimeout(), p.idleTimeout()} {
		if t > 0 {
			d = min(d, t/4)
		}
	}
	return max(d, minSweep)
}

// track adds a new connection to the sweep.
func track(st *connState) {
	if st.p.headerTimeout() <= 0 && st.p.idleTimeout() <= 0 {
		return
	}
	clock.Add(st, st.c.Loop(), st.p.sweepEvery())
	st.enter(phaseHead)
}

// untrack removes a connection that closed or became an event stream.
func untrack(st *connState) { clock.Remove(st) }

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
		if st.c.SendBufferSize() > 0 {
			if w := st.c.BytesWritten(); w != st.written {
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
