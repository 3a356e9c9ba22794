package http

import (
	"sync"

	"github.com/workerman-go/workerman/protocols"
)

// phase is what a connection waits for, which decides the timeout that
// applies to it.
type phase uint8

const (
	phaseHead   phase = iota // the head of a request: HeaderTimeout from its first byte
	phaseBody                // the rest of a body: IdleTimeout from the last byte received
	phaseBusy                // the application owes a response: no timeout
	phaseIdle                // keep-alive between requests: IdleTimeout from the last response
	phaseStream              // an event stream: no timeout
)

// pendingReq is what the encoder must know of a request it has not answered.
type pendingReq struct {
	head      bool
	keepAlive bool
}

// connState is the protocol's state of one connection. Loop-only. What only
// requests need sits in the exchange, which an event stream gives up once its
// handler has returned (releaseLater); the stream then keeps no state of its
// own either, only the shared mark that it is one.
type connState struct {
	c        protocols.Conn
	p        *Protocol
	phase    phase
	requests int // requests decoded on this connection
	*exchange
}

// exchange is the state of a connection that reads requests and answers them.
// A connection that closes or becomes an event stream gives it back for the
// next connection, with its buffers and its remembered head.
type exchange struct {
	st         *connState // whose it is now
	f          framer
	req        *Request
	pending    []pendingReq // requests decoded and not answered, oldest first
	extra      []string     // header lines for the next response (session Set-Cookie)
	chunking   bool         // a chunked response is open: its last chunk completes it
	chunkClose bool         // and the connection closes after it
	owe100     bool         // a 100 Continue waits for the responses before it
	sent100    bool         // the current request was sent its 100 Continue
	writing    bool         // output was waiting at the last sweep
	stalled    bool         // the sweep found output that the peer stopped taking

	since    int64  // coarse clock stamp when the phase began (or, for phaseBody, the last read)
	bodyFrom int64  // coarse clock stamp when the head of the request with a body ended
	bodyGot  int    // body bytes received so far
	written  int64  // bytes written at the last sweep, to see a slow reader progress
	wroteAt  int64  // when written last moved, or output was first seen waiting
	slot     int    // index in the sweeper's set, -1 when not tracked
	release  func() // releaseLater's task, made once per exchange
	resume   func() // the connection's ResumeRecv, for protocols.HoldWhileFull
}

// spareExchanges holds exchanges no connection uses now.
var spareExchanges sync.Pool

// takeExchange is an exchange for st, a spare one cleared for it when there
// is one; its closures are made once and call whichever connection holds it.
func takeExchange(st *connState) *exchange {
	x, _ := spareExchanges.Get().(*exchange)
	if x == nil {
		x = &exchange{}
		x.release = func() { x.st.release(x) }
		x.resume = func() { x.st.c.ResumeRecv() }
	} else {
		*x = exchange{
			f:       framer{last: x.f.last},
			pending: x.pending[:0],
			extra:   x.extra[:0],
			release: x.release,
			resume:  x.resume,
		}
	}
	x.st, x.slot = st, -1
	return x
}

// giveBack ends the connection's request and returns its exchange. The
// caller has taken the connection out of the sweep.
func (st *connState) giveBack() {
	x := st.exchange
	if x == nil {
		return
	}
	st.dropRequest()
	st.exchange = nil
	clear(x.extra[:cap(x.extra)])
	x.st = nil
	spareExchanges.Put(x)
}

// streaming is the state of every event stream that gave its own up: it has
// no exchange, and nothing writes to it.
var streaming = &connState{phase: phaseStream}

// state returns c's state with its exchange, making either when it is
// missing: a connection that did not go through OnConnect (tests and
// benchmarks that drive the protocol by hand), or a stream that reads again
// (which counts its requests towards MaxRequests afresh).
func (p *Protocol) state(c protocols.Conn) *connState {
	st := p.bare(c)
	if st == streaming {
		st = &connState{c: c, p: p, phase: phaseStream}
		c.SetProtocolState(st)
	}
	if st.exchange == nil {
		st.exchange = takeExchange(st)
	}
	return st
}

// bare returns c's state as it is, streaming for an idle event stream; only
// state's may be written to.
func (p *Protocol) bare(c protocols.Conn) *connState {
	if st, ok := c.ProtocolState().(*connState); ok {
		return st
	}
	st, _ := spareStates.Get().(*connState)
	if st == nil {
		st = &connState{}
	}
	st.c, st.p = c, p
	c.SetProtocolState(st)
	return st
}

// opts is what the encoder needs to know of the request being answered. A
// response with no request to answer (sent from OnConnect, or one too many)
// is encoded as for a keep-alive GET, as Workerman does.
func (st *connState) opts() encodeOpts {
	o := encodeOpts{keepAlive: true, extra: st.extra}
	if len(st.pending) > 0 {
		o.head = st.pending[0].head
		o.keepAlive = st.pending[0].keepAlive
	}
	return o
}

// answered records that the oldest pending request has its whole response.
// It reports whether the connection stays open afterwards.
func (st *connState) answered(keepAlive bool) bool {
	st.extra = st.extra[:0]
	if len(st.pending) > 0 {
		n := copy(st.pending, st.pending[1:])
		st.pending = st.pending[:n]
	}
	if !keepAlive {
		return false
	}
	if len(st.pending) == 0 && st.phase == phaseBusy {
		st.enter(phaseIdle)
	}
	return true
}

func (st *connState) enter(ph phase) {
	st.phase = ph
	st.since = clock.Now()
}

// SweepSlot is where the connection keeps its index in the sweeper's set.
func (st *connState) SweepSlot() *int { return &st.slot }

// releaseLater drops what only requests need, the exchange with its Request
// and remembered head, once the callback that is running (OnMessage) returns:
// an event stream reads no further request, and an idle stream should cost
// little more than its socket. A request that does arrive later gets a fresh
// exchange.
func (st *connState) releaseLater() {
	st.c.Loop().Post(st.exchange.release)
}

// release is releaseLater's task: x is the exchange it was posted for, which
// the connection may have given back since (it closed).
func (st *connState) release(x *exchange) {
	if st == nil || st.exchange != x || st.phase != phaseStream {
		return
	}
	held := st.req != nil && st.req.finishing // its Request finishes later, with st
	st.giveBack()
	st.c.SetProtocolState(streaming)
	if !held {
		*st = connState{}
		spareStates.Put(st)
	}
}

// spareStates holds the states that event streams gave up, so that a burst
// of streams does not leave one behind as garbage for each: the next
// connection takes it. Nothing refers to such a state any more.
var spareStates sync.Pool

// dropRequest ends the connection's Request and lends it to the next
// connection that decodes one.
func (st *connState) dropRequest() {
	if r := st.req; r != nil {
		st.req = nil
		r.finish()
		if !r.finishing {
			r.st = nil
			spareRequests.Put(r)
		}
	}
}

// spareRequests holds Requests that their connections gave up, so that a
// stream's one request does not leave a Request behind as garbage for every
// connection: the next connection's first request takes one, with the
// buffers its parser grew.
var spareRequests sync.Pool

// newRequest is a Request for st, a spare one when there is one.
func newRequest(st *connState) *Request {
	r, _ := spareRequests.Get().(*Request)
	if r == nil {
		r = &Request{}
	}
	r.st = st
	return r
}
