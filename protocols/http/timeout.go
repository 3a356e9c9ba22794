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
	// next request, how long a request body may pause between reads, and how
	// long output may wait for a client that takes none of it.
	DefaultIdleTimeout = 60 * time.Second
	// DefaultMinBodyRate (bytes per second) and DefaultBodyRateGrace: a
	// body must average at least that rate once the grace has passed, as
	// Kestrel's MinRequestBodyDataRate asks by default. An upload over a
	// link of 2 kbit/s still passes.
	DefaultMinBodyRate   = 240
	DefaultBodyRateGrace = 5 * time.Second
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
	for _, t := range [...]time.Duration{p.headerTimeout(), p.idleTimeout(), p.bodyRateGrace()} {
		if t > 0 {
			d = min(d, t/4)
		}
	}
	return max(d, minSweep)
}

// track adds a new connection to the sweep.
func track(st *connState) {
	if st.p.headerTimeout() <= 0 && st.p.idleTimeout() <= 0 && st.p.minBodyRate() <= 0 {
		return
	}
	clock.Add(st, st.c.Loop(), st.p.sweepEvery())
	st.enter(phaseHead)
}

// untrack removes a connection that closed or became an event stream.
func untrack(st *connState) { clock.Remove(st) }

func (st *connState) expired(now int64) bool {
	if st.c.SendBufferSize() > 0 {
		if st.stall(now) {
			st.stalled = true
			return true
		}
		if st.phase == phaseIdle {
			return false // a response still going out is not idleness
		}
	} else {
		st.writing = false
	}
	var limit time.Duration
	switch st.phase {
	case phaseHead:
		limit = st.p.headerTimeout()
	case phaseBody:
		if st.tooSlow(now) {
			return true
		}
		limit = st.p.idleTimeout()
	case phaseIdle:
		limit = st.p.idleTimeout()
	default:
		return false
	}
	return limit > 0 && now-st.since >= int64(limit)
}

// stall reports whether output has waited IdleTimeout with no byte taken
// by the peer: a client that stopped reading. One that reads slowly moves
// the count, and an idle keep-alive connection's clock starts again then.
func (st *connState) stall(now int64) bool {
	if w := st.c.BytesWritten(); w != st.written || !st.writing {
		st.written, st.wroteAt, st.writing = w, now, true
		if st.phase == phaseIdle {
			st.since = now
		}
		return false
	}
	idle := st.p.idleTimeout()
	return idle > 0 && now-st.wroteAt >= int64(idle)
}

// tooSlow reports whether a body, past its grace, averages under
// MinBodyRate. A client waiting for its 100 Continue is not sending.
func (st *connState) tooSlow(now int64) bool {
	rate, grace := st.p.minBodyRate(), st.p.bodyRateGrace()
	elapsed := now - st.bodyFrom
	if rate <= 0 || st.owe100 || elapsed < int64(grace) {
		return false
	}
	return float64(st.bodyGot) < float64(rate)*float64(elapsed)/float64(time.Second)
}

var reply408 = []byte("HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n")

// timeout ends a connection that waited too long. A client that stopped
// reading is dropped with what it did not take, an idle keep-alive
// connection is simply closed, and any other client (one that sent nothing
// since it connected included) is told 408 first.
func (st *connState) timeout() {
	switch {
	case st.stalled:
		slog.Debug("workerman: http client stopped reading", "id", st.c.ID(), "remote", st.c.RemoteAddr(), "unsent", st.c.SendBufferSize())
		st.c.Destroy()
	case st.phase == phaseIdle:
		st.c.Close()
	default:
		slog.Debug("workerman: http timeout", "id", st.c.ID(), "remote", st.c.RemoteAddr(), "phase", st.phase)
		countStatus(408)
		st.c.End(reply408)
	}
}
