package protocols

import (
	"net"
	"time"
)

// Conn is what a protocol sees of a connection. Its methods run on the loop.
type Conn interface {
	// ID identifies the connection within its process.
	ID() uint64
	// PackageLimit is the largest package the connection accepts (its MaxPackageSize).
	PackageLimit() int
	// Send encodes v with the connection's protocol and queues it.
	Send(v any) error
	// SendRaw queues b as is, bypassing Encode.
	SendRaw(b []byte) error
	// Close sends data, then closes once the send buffer is flushed.
	Close(data ...any)
	// End sends b as is, stops reading, half-closes the connection once b is
	// flushed and closes it after a short linger. Protocols answer bad input with it.
	End(b []byte)
	// Destroy closes the connection now, dropping whatever is unsent: for a
	// peer that stopped reading, whose output would never drain.
	Destroy()
	// CloseWhenFlushed stops delivering packages and closes the connection
	// once everything sent so far (including what the current Encode appends)
	// has reached the kernel. Safe to call from inside Encode.
	CloseWhenFlushed()
	// SendBufferSize is the number of bytes waiting to be written, and
	// SendBufferLimit the connection's MaxSendBufferSize: a Send that finds
	// the buffer at its limit is dropped.
	SendBufferSize() int
	SendBufferLimit() int
	// BytesWritten is how many bytes the kernel has taken for the peer so
	// far: with SendBufferSize it tells a slow reader (the count moves) from
	// one that stopped reading.
	BytesWritten() int64
	// NotifyDrain runs fn once on the loop, the next time the send buffer is
	// empty; a later call replaces an earlier one. A protocol streaming a
	// large body uses it to write the next piece, and one holding back
	// pipelined requests to resume them.
	NotifyDrain(fn func())
	// PauseRecv stops delivering packages (and reading); ResumeRecv delivers
	// the ones already received, then reads again. A protocol pauses while
	// a response is still being streamed, or while its output is over the
	// send buffer's limit, so that pipelined requests wait.
	PauseRecv()
	ResumeRecv()
	// ProtocolState and SetProtocolState keep the protocol's per-connection state.
	ProtocolState() any
	SetProtocolState(v any)
	RemoteAddr() net.Addr
	LocalAddr() net.Addr
	// Loop is the event loop the connection runs on, for the protocol's
	// timers and for work that must wait until the running callback returns.
	Loop() Loop
}

// Loop is the event loop of a connection as a protocol uses it. Every
// connection of a process runs on the same loop, so a protocol may keep one
// timer for all of them. Its methods are loop-only.
type Loop interface {
	// AddTimer runs fn on the loop after d, and again every d when repeat is
	// Repeating, until DelTimer. These timers belong to the framework: the
	// application's timer.Count and timer.DelAll do not see them.
	AddTimer(d time.Duration, repeat Repeat, fn func()) TimerID
	// DelTimer stops a timer; a timer that already fired once and for all,
	// or was stopped, is ignored. A timer may stop itself from its callback.
	DelTimer(id TimerID)
	// Post runs fn on the loop after the callback that is running returns.
	Post(fn func())
	// Recovered logs a panic recovered from application code the protocol
	// ran (a callback of its own, such as WebSocket's OnWebSocketConnect),
	// with its stack, and counts it as the loop counts its own.
	Recovered(where string, v any)
}

// TimerID names a timer of a Loop; 0 is no timer.
type TimerID uint64

// Repeat says whether a Loop timer fires again after its first run.
type Repeat bool

const (
	// Once fires the timer one time, after its delay.
	Once Repeat = false
	// Repeating fires it after its delay and every delay after that.
	Repeating Repeat = true
)

// Dialed is implemented by client connections (connection.NewAsync): the
// address they were asked to dial and how they reach it, which a protocol's
// handshake names (a WebSocket client's Host and request target).
type Dialed interface {
	// DialTarget is the "host:port" (or socket path) given to NewAsync, and
	// the path and query that followed it ("/" when none).
	DialTarget() (hostport, uri string)
	// Transport is "tcp", "unix" or "ssl" (TLS: "wss://", "ssl://" or
	// SetTLS), which decides a URL's default port.
	Transport() string
}

// Connector is implemented by protocols that act when a connection opens.
type Connector interface {
	OnConnect(c Conn)
}

// Closer is implemented by protocols that clean up when a connection closes.
type Closer interface {
	OnClose(c Conn)
}

// PanicAnswerer is implemented by protocols that answer a package whose
// OnMessage panicked, after the panic is logged and counted: HTTP sends what
// earlier requests were already given, then 500 and closes. It must end the
// connection (End or Close); without it, the connection is destroyed.
type PanicAnswerer interface {
	OnPanic(c Conn)
}

// GoingAway is implemented by protocols that tell the peer the server is
// closing the connection because it stops or is replaced (WebSocket: a
// Close frame with 1001). The connection calls OnGoingAway instead of
// closing itself, so OnGoingAway must end the connection: at once, or after
// a closing handshake of its own that it bounds (WebSocket: on the peer's
// Close frame, or after a second). It may be called again while it does.
type GoingAway interface {
	OnGoingAway(c Conn)
}

// HoldWhileFull pauses c when its output has reached its send buffer's
// limit and reports whether it did; once the buffer drains, resume runs
// (c.ResumeRecv, kept in the protocol's state so that no closure is made per
// call). A protocol calls it before it frames the next package whose answer
// it must not lose: a Send over the limit is dropped, so a client that
// pipelines faster than it reads would otherwise lose answers. Reading then
// waits, the client's own writes block in its kernel, and memory stays
// bounded by the limit plus one answer. Loop-only.
func HoldWhileFull(c Conn, resume func()) bool {
	if c.SendBufferSize() < c.SendBufferLimit() {
		return false
	}
	c.PauseRecv()
	c.NotifyDrain(resume)
	return true
}
