package websocket

import (
	"fmt"
	"sync"
	"time"

	"github.com/workerman-go/workerman/protocols"
	"github.com/workerman-go/workerman/protocols/http"
)

// Protocol is the WebSocket server protocol of a worker. worker.New
// ("websocket://...") uses Default; give a worker its own to set callbacks
// and limits:
//
//	w := worker.New("websocket://0.0.0.0:8080")
//	w.Protocol = &websocket.Protocol{
//		OnWebSocketConnect: func(c protocols.Conn, req *http.Request, h *websocket.Handshake) {
//			if req.Get("token") != secret {
//				h.Reject = http.NewResponse(403, nil, "forbidden")
//			}
//		},
//		PingInterval: 30 * time.Second,
//	}
//
// Set the fields before the worker starts. The callbacks run on the loop; c is
// the *connection.TcpConnection, which the worker's callbacks also get.
type Protocol struct {
	// OnWebSocketConnect runs when a valid opening handshake arrives, before
	// it is answered. It may reject the handshake (h.Reject), add header
	// fields to the 101 answer, pick a subprotocol, or close c. Messages it
	// sends go out right after the 101.
	OnWebSocketConnect func(c protocols.Conn, req *http.Request, h *Handshake)
	// OnWebSocketConnected runs once the 101 is sent: the connection is open.
	OnWebSocketConnected func(c protocols.Conn, req *http.Request)
	// OnRequest answers a plain HTTP request (one that asks for no upgrade),
	// so that one port serves both a page and its WebSocket; the connection
	// closes after the response. Unset, such a request gets 400.
	OnRequest func(c protocols.Conn, req *http.Request) *http.Response

	// OnPing and OnPong run for each ping and pong from the peer (pings are
	// answered before OnPing runs); payload is valid until they return.
	OnPing func(c protocols.Conn, payload []byte)
	OnPong func(c protocols.Conn, payload []byte)
	// OnCloseFrame runs when the peer sends a Close frame, with its code
	// (CloseNoStatus when it has none) and reason; the closing handshake is
	// then completed and the connection closed.
	OnCloseFrame func(c protocols.Conn, code int, reason string)

	// PingInterval, when positive, pings every open connection that often
	// and closes those that sent nothing since the previous ping.
	PingInterval time.Duration
	// HeaderLimit caps the handshake request in bytes
	// (http.DefaultHeaderLimit); past it the client gets 431.
	HeaderLimit int
	// HandshakeTimeout is how long the handshake may take from the accept
	// (http.DefaultHeaderTimeout); a negative one disables it.
	HandshakeTimeout time.Duration
	// Compression is permessage-deflate, accepted whenever a client offers
	// it unless Compression.Disable is set.
	Compression Compression

	once sync.Once
	ep   endpoint
	hp   *http.Protocol
}

// Default is the protocol registered as "websocket".
var Default = &Protocol{}

func init() {
	for scheme, p := range map[string]protocols.Protocol{"websocket": Default, "ws": DefaultClient} {
		if err := protocols.Register(scheme, p); err != nil {
			panic(err)
		}
	}
}

// Name is how status tables and logs call the protocol.
func (p *Protocol) Name() string { return "Websocket" }

func (p *Protocol) init() *Protocol {
	p.once.Do(func() {
		p.ep = endpoint{onPing: p.OnPing, onPong: p.OnPong, onCloseFrame: p.OnCloseFrame}
		p.ep.every = p.PingInterval
		p.hp = &http.Protocol{HeaderLimit: p.HeaderLimit, HeaderTimeout: p.HandshakeTimeout, IdleTimeout: p.HandshakeTimeout}
	})
	return p
}

func (p *Protocol) state(c protocols.Conn) *connState {
	if st, ok := c.ProtocolState().(*connState); ok {
		return st
	}
	return newState(c, &p.init().ep)
}

// OnConnect starts the handshake timeout of a new connection.
func (p *Protocol) OnConnect(c protocols.Conn) {
	st := p.state(c)
	p.hp.OnConnect(st.handshake(p.hp))
}

// OnClose forgets the connection.
func (p *Protocol) OnClose(c protocols.Conn) {
	st, ok := c.ProtocolState().(*connState)
	if !ok {
		return
	}
	if st.hs != nil {
		p.hp.OnClose(st.hs)
		st.hs = nil
	}
	st.closed()
}

// OnGoingAway starts the closing handshake with 1001 (going away) when the
// server stops or is replaced: the connection closes on the peer's Close
// frame, or after a second. A connection still shaking hands, or one whose
// Close frame cannot be queued, is closed at once.
func (p *Protocol) OnGoingAway(c protocols.Conn) { goAway(c) }

// OnPanic sends a Close frame with 1011 (internal error) when OnMessage
// panicked on a message, after what was already sent, and ends the connection.
func (p *Protocol) OnPanic(c protocols.Conn) { p.state(c).panicked() }

// Input frames the handshake request, then one frame at a time. A frame that
// breaks RFC 6455 is answered with a Close frame (1002, or 1009 past the
// connection's MaxPackageSize) and the connection ends.
func (p *Protocol) Input(buf []byte, c protocols.Conn) (int, error) {
	st := p.state(c)
	if st.open {
		return st.input(buf)
	}
	return p.hp.Input(buf, st.handshake(p.hp))
}

// Decode answers the handshake (returning nil), then returns each message:
// a string for a text message, a []byte of its own (a copy the application
// may keep) for a binary one. Control frames and fragments return nil.
func (p *Protocol) Decode(pkg []byte, c protocols.Conn) (any, error) {
	st := p.state(c)
	if st.open {
		return st.decode(pkg)
	}
	return nil, p.handshake(pkg, st)
}

// Encode appends a text frame for a string, a binary frame for a []byte, and
// a text frame of its JSON for any other value. Sent before the handshake
// completes, it waits and follows the 101 (ErrQueueFull past the send buffer
// limit).
func (p *Protocol) Encode(dst []byte, v any, c protocols.Conn) ([]byte, error) {
	return p.state(c).encode(dst, v)
}

// handshakeError is a handshake the server refuses, with the status to refuse it with.
type handshakeError struct {
	status int
	reason string
}

func (e *handshakeError) Error() string {
	return fmt.Sprintf("websocket: handshake refused with %d: %s", e.status, e.reason)
}
