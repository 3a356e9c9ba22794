package http

import (
	"fmt"
	"time"

	"github.com/workerman-go/workerman/protocols"
)

// Protocol is HTTP/1.1 (and 1.0) for a worker. worker.New("http://...") uses
// one with the defaults; give a worker its own to change its limits:
//
//	w := worker.New("http://0.0.0.0:8080")
//	w.Protocol = &http.Protocol{HeaderTimeout: 5 * time.Second, MaxRequests: 1000}
//
// Fields left zero take the defaults; a negative timeout disables it. The body
// limit is the connection's MaxPackageSize (worker.MaxPackageSize). Set the
// fields before the worker starts.
type Protocol struct {
	// HeaderLimit caps the request head in bytes (DefaultHeaderLimit); past
	// it the client gets 431.
	HeaderLimit int
	// HeaderTimeout is how long a request head may take from its first byte,
	// or from the accept for the first request (DefaultHeaderTimeout).
	HeaderTimeout time.Duration
	// IdleTimeout is how long a keep-alive connection may sit between a
	// response and the next request, how long a body may pause, and how
	// long a response may wait for a client that takes none of its bytes
	// (DefaultIdleTimeout); such a client is disconnected. Event streams
	// are exempt.
	IdleTimeout time.Duration
	// MinBodyRate is the slowest a request body may arrive, in bytes per
	// second averaged from the end of its head, once BodyRateGrace has
	// passed (DefaultMinBodyRate); a slower one gets 408 and the connection
	// closes. It stops a client that trickles a body to hold the
	// connection (slowloris on the body), which IdleTimeout alone cannot.
	MinBodyRate int
	// BodyRateGrace is how long a body may take before MinBodyRate applies
	// (DefaultBodyRateGrace).
	BodyRateGrace time.Duration
	// MaxRequests, when positive, closes a connection after its response to
	// that many requests (the last one says Connection: close).
	MaxRequests int
	// UploadDir is where uploaded files are stored while their request lasts
	// (os.TempDir() when empty).
	UploadDir string
	// Session configures Request.Session (DefaultSessionConfig when nil).
	Session *SessionConfig
}

// Default is the protocol registered as "http".
var Default = &Protocol{}

func init() {
	if err := protocols.Register("http", Default); err != nil {
		panic(err)
	}
}

// Name is how status tables and logs call the protocol.
func (p *Protocol) Name() string { return "Http" }

func (p *Protocol) headerLimit(pkgLimit int) int {
	h := p.HeaderLimit
	if h <= 0 {
		h = DefaultHeaderLimit
	}
	return min(h, pkgLimit)
}

func (p *Protocol) headerTimeout() time.Duration {
	return orDefault(p.HeaderTimeout, DefaultHeaderTimeout)
}
func (p *Protocol) idleTimeout() time.Duration { return orDefault(p.IdleTimeout, DefaultIdleTimeout) }
func (p *Protocol) bodyRateGrace() time.Duration {
	return orDefault(p.BodyRateGrace, DefaultBodyRateGrace)
}

func (p *Protocol) minBodyRate() int {
	if p.MinBodyRate == 0 {
		return DefaultMinBodyRate
	}
	return p.MinBodyRate
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// OnConnect starts the header timeout of a new connection.
func (p *Protocol) OnConnect(c protocols.Conn) {
	track(p.state(c))
}

// OnClose ends the connection's last request and forgets the connection.
func (p *Protocol) OnClose(c protocols.Conn) {
	st, ok := c.ProtocolState().(*connState)
	if !ok || st.exchange == nil {
		return // an event stream that gave its exchange up is untracked already
	}
	untrack(st)
	st.giveBack()
}

// OnPanic answers the request whose OnMessage panicked with 500, after the
// responses already sent to earlier ones, and ends the connection. A request
// whose response had begun (a chunked one, an event stream) cannot be told
// so: what it got is flushed and the connection closes.
func (p *Protocol) OnPanic(c protocols.Conn) {
	st := p.state(c)
	if len(st.pending) == 0 || st.chunking || st.phase == phaseStream {
		c.Close()
		return
	}
	endWith(c, 500)
}

var (
	reply100 = []byte("HTTP/1.1 100 Continue\r\n\r\n")
	replies  = map[int][]byte{}
)

// endWith answers with the canned reply of status, counted, and ends the
// connection once the peer has read it.
func endWith(c protocols.Conn, status int) {
	countStatus(status)
	c.End(replies[status])
}

func init() {
	for _, s := range []int{400, 408, 413, 431, 500, 501, 505} {
		replies[s] = fmt.Appendf(nil, "HTTP/1.1 %d %s\r\nConnection: close\r\n\r\n", s, reasonPhrases[s])
	}
}

// Input returns the length of the request at the start of buf once it is
// whole. A request that can never be served is answered with its error
// status and Connection: close, and the connection ends (see Conn.End).
// While the send buffer is at its limit, Input frames no further request
// and pauses the connection until it drains, so that every pipelined
// request gets its response, in order.
func (p *Protocol) Input(buf []byte, c protocols.Conn) (int, error) {
	st := p.state(c)
	if st.phase != phaseBody && protocols.HoldWhileFull(c, st.resume) {
		return 0, nil // the answer could not be queued: wait for the drain
	}
	if st.phase == phaseIdle || st.phase == phaseBusy {
		st.enter(phaseHead) // the first bytes of the next request
	}
	hadHead := st.f.headDone()
	pkgLimit := c.PackageLimit()
	n, e := st.f.next(buf, p.headerLimit(pkgLimit), pkgLimit)
	if e != nil {
		endWith(c, e.status)
		return 0, e
	}
	if n > 0 {
		st.phase = phaseBusy
		return n, nil
	}
	if st.f.headDone() {
		if st.phase != phaseStream {
			if !hadHead {
				st.bodyFrom = clock.Now()
			}
			st.enter(phaseBody)
			st.bodyGot = len(buf) - st.f.headLen
		}
		if !hadHead && st.f.expect && st.f.minor == 1 {
			p.continue100(st)
		}
	}
	return 0, nil
}

// continue100 invites the client to send the body it announced with
// Expect: 100-continue. Responses still owed to earlier pipelined requests
// must go first, so then it waits for the last of them.
func (p *Protocol) continue100(st *connState) {
	if len(st.pending) > 0 {
		st.owe100 = true
		return
	}
	st.sent100 = true
	countStatus(100)
	st.c.SendRaw(reply100)
}

// Decode turns a whole request into the *Request that OnMessage receives. The
// Request is reused for the connection's next request: see Request.
func (p *Protocol) Decode(pkg []byte, c protocols.Conn) (any, error) {
	st := p.state(c)
	f := &st.f
	if st.req == nil {
		st.req = newRequest(st)
	} else {
		st.req.finish()
	}
	req := st.req
	keepAlive := !f.close && (f.minor == 1 || f.keepAlive)
	st.requests++
	if p.MaxRequests > 0 && st.requests >= p.MaxRequests {
		keepAlive = false
	}
	st.pending = append(st.pending, pendingReq{head: f.head, keepAlive: keepAlive})
	st.sent100, st.owe100 = false, false
	err := req.load(pkg, f)
	f.reset()
	if err != nil {
		endWith(c, 400)
		return nil, err
	}
	return req, nil
}

// Encode appends the response to the oldest request not yet answered:
//   - a string or []byte: a 200 text/html response with it as the body;
//   - a *Response; an event-stream one leaves the connection open for
//     *ServerSentEvents and exempts it from the idle timeout;
//   - a *Chunk of a chunked response (the empty one ends it);
//   - a *ServerSentEvents on an event stream.
//
// After the response that ends a request which asked to close (or the last
// one MaxRequests allows) the connection closes once it is flushed.
func (p *Protocol) Encode(dst []byte, v any, c protocols.Conn) ([]byte, error) {
	if ev, ok := v.(*ServerSentEvents); ok {
		if st := p.bare(c); st.exchange == nil {
			return ev.appendTo(dst), nil // an idle stream stays lean
		}
	}
	st := p.state(c)
	if st.req != nil {
		st.req.saveSession() // before the response leaves, so the next request sees it
	}
	o := st.opts()
	switch x := v.(type) {
	case string:
		dst = appendText(dst, x, o)
		return p.done(dst, st, o.keepAlive), nil
	case []byte:
		dst = appendText(dst, x, o)
		return p.done(dst, st, o.keepAlive), nil
	case *Response:
		dst, err := x.encode(dst, c, o)
		if err != nil {
			return dst, err
		}
		switch {
		case x.isEventStream():
			st.answered(true)
			st.phase = phaseStream
			untrack(st)
			st.releaseLater()
			return dst, nil
		case x.file() == nil && x.Header("Transfer-Encoding") != "":
			st.extra = st.extra[:0]
			st.chunking = !o.head
			if o.head {
				return p.done(dst, st, o.keepAlive && !x.closes()), nil
			}
			st.chunkClose = !o.keepAlive || x.closes()
			return dst, nil
		case x.streaming():
			// The file stream closes the connection itself if it must, and
			// holds pipelined requests until the body is out.
			st.answered(true)
			st.c.PauseRecv()
			return dst, nil
		}
		return p.done(dst, st, o.keepAlive && !x.closes()), nil
	case *Chunk:
		if !st.chunking {
			// No chunked response is open (or it answered HEAD, which has no
			// body): the bytes would be read as the start of the next response.
			return dst, nil
		}
		dst = x.appendTo(dst)
		if x.last() {
			st.chunking = false
			return p.done(dst, st, !st.chunkClose), nil
		}
		return dst, nil
	case *ServerSentEvents:
		return x.appendTo(dst), nil
	}
	return dst, fmt.Errorf("http: cannot send %T: want a string, []byte, *Response, *Chunk or *ServerSentEvents", v)
}

// done completes the oldest request's response: the connection closes after
// it or waits for the next request.
func (p *Protocol) done(dst []byte, st *connState, keepAlive bool) []byte {
	if !st.answered(keepAlive) {
		st.c.CloseWhenFlushed()
		return dst
	}
	if st.owe100 && len(st.pending) == 0 {
		// every earlier request is answered; the one waiting sends its body now
		st.owe100, st.sent100 = false, true
		countStatus(100)
		dst = append(dst, reply100...)
	}
	return dst
}
