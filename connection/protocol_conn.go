package connection

import (
	"time"

	"github.com/workerman-go/workerman/internal/eventloop"
	"github.com/workerman-go/workerman/protocols"
)

// What protocols.Conn asks of a connection beyond the methods the
// application uses too.

var (
	_ protocols.Conn   = (*TcpConnection)(nil)
	_ protocols.Dialed = (*TcpConnection)(nil)
	_ protocols.Conn   = udpProtoConn{}
)

// protocolLoop is the loop as protocols see it (protocols.Loop): a
// conversion of the pointer, so handing it out allocates nothing.
type protocolLoop eventloop.Loop

func (l *protocolLoop) loop() *eventloop.Loop { return (*eventloop.Loop)(l) }

// AddTimer adds a system timer: the application's timer.Count and DelAll
// leave it alone.
func (l *protocolLoop) AddTimer(d time.Duration, repeat protocols.Repeat, fn func()) protocols.TimerID {
	return protocols.TimerID(l.loop().AddSystemTimer(d, eventloop.Repeat(repeat), fn))
}

func (l *protocolLoop) DelTimer(id protocols.TimerID) { l.loop().DelTimer(eventloop.TimerID(id)) }

func (l *protocolLoop) Post(fn func()) { l.loop().Post(fn) }

func (l *protocolLoop) Recovered(where string, v any) { l.loop().Recovered(where, v) }

// Loop is the event loop the connection runs on, as its protocol uses it.
func (c *TcpConnection) Loop() protocols.Loop { return (*protocolLoop)(loop) }

// DialTarget is the address a client connection dials, as given to
// NewAsync: "host:port" (or the socket path) and the path and query after it;
// a protocol's handshake names them (protocols.Dialed). An accepted
// connection was not dialled: both are "".
func (c *TcpConnection) DialTarget() (hostport, uri string) {
	if c.more == nil {
		return "", ""
	}
	return c.more.target, c.more.uri
}

func (u udpProtoConn) Loop() protocols.Loop { return (*protocolLoop)(u.c.pc.Loop()) }
func (u udpProtoConn) BytesWritten() int64  { return 0 }
func (u udpProtoConn) Destroy()             {}

// panicked ends a connection whose OnMessage panicked: a protocol that
// answers such a failure (protocols.PanicAnswerer: HTTP's 500) does so after
// what was already sent; any other connection is destroyed. Loop-only.
func (c *TcpConnection) panicked() {
	if a, ok := c.origin.protocol.(protocols.PanicAnswerer); ok && c.Status() == StatusEstablished {
		a.OnPanic(c)
		if c.Status() == StatusEstablished {
			c.Destroy() // the protocol did not end it
		}
		return
	}
	c.Destroy()
}
