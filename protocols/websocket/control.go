package websocket

import (
	"fmt"

	"github.com/workerman-go/workerman/protocols"
)

// Ping sends a ping with payload (at most 125 bytes) on an open WebSocket;
// the peer answers with a pong, which OnPong sees. Browsers answer pings but
// cannot send them: a server that wants to know its clients are there pings
// them (or sets PingInterval). On a client connection whose handshake is not
// complete, the ping waits with the messages sent so far and follows the
// handshake, as they do (ErrQueueFull past the send buffer's limit).
// Loop-only: call it from a callback or timer.
func Ping(c protocols.Conn, payload []byte) error {
	if len(payload) > maxControlPayload {
		return fmt.Errorf("websocket: ping payload of %d bytes exceeds %d", len(payload), maxControlPayload)
	}
	if st := clientState(c); st != nil && !st.open {
		if len(st.queued) >= c.SendBufferLimit() {
			return ErrQueueFull
		}
		st.queued = appendFrame(st.queued, opPing, payload, true)
		return nil
	}
	st, err := openState(c)
	if err != nil {
		return err
	}
	st.control(opPing, payload)
	return nil
}

// clientState is the state of a client connection, made if it has none yet
// (nothing sent before the connect); nil for any other connection.
func clientState(c protocols.Conn) *connState {
	if st, ok := c.ProtocolState().(*connState); ok {
		if st.ep.client {
			return st
		}
		return nil
	}
	if p, ok := c.(interface{ Protocol() protocols.Protocol }); ok {
		if cl, ok := p.Protocol().(*Client); ok {
			return cl.state(c)
		}
	}
	return nil
}

// Close starts the closing handshake: it sends a Close frame with code and
// reason (cut to 123 bytes), drops messages that arrive after it, and closes
// the connection when the peer's Close frame answers, or after a second.
// Loop-only.
func Close(c protocols.Conn, code int, reason string) error {
	st, err := openState(c)
	if err != nil {
		return err
	}
	if st.closing {
		return nil
	}
	if code != 0 && !validCloseCode(code) {
		return fmt.Errorf("websocket: %d is not a close code an endpoint may send", code)
	}
	st.closing = true
	st.scratch = appendClose(st.scratch[:0], code, reason, st.ep.client)
	if err := c.SendRaw(st.scratch); err != nil {
		return err
	}
	st.closer = c.Loop().AddTimer(closeTimeout, protocols.Once, func() {
		st.closer = 0
		c.Close()
	})
	return nil
}

// goAway is the server's part of protocols.GoingAway.
func goAway(c protocols.Conn) {
	if Close(c, CloseGoingAway, "server going away") != nil {
		c.Close()
	}
}

func openState(c protocols.Conn) (*connState, error) {
	st, ok := c.ProtocolState().(*connState)
	if !ok || !st.open {
		return nil, ErrNotOpen
	}
	return st, nil
}

// IsOpen reports whether c's opening handshake is complete, which stays so
// through the connection's OnClose: a broadcast skips connections still
// shaking hands and plain HTTP requests. Loop-only.
func IsOpen(c protocols.Conn) bool {
	_, err := openState(c)
	return err == nil
}
