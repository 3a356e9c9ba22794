// Package websocket is RFC 6455 for workers and client connections: the
// scheme "websocket" serves WebSocket clients (browsers, any RFC 6455
// library), and "ws" dials a WebSocket server from connection.NewAsync.
// Examples are the best way in (Example_echo, examples/websocket).
//
//	w := worker.New("websocket://0.0.0.0:8080")
//	w.OnMessage = func(c *connection.TcpConnection, data any) {
//		c.Send(data) // string → text frame, []byte → binary frame
//	}
//
// A server connection first reads the opening handshake, an HTTP/1.1 GET that
// protocols/http frames and parses (with its head limit and timeout). A
// valid one is answered 101 after Protocol.OnWebSocketConnect, which may
// reject it, add header fields or pick a subprotocol; a broken one gets 400
// (426 for a version other than 13). From then on each message reaches
// OnMessage: a string for text, a []byte of its own for binary. Control
// frames never do: pings are answered with pongs, a Close frame is echoed
// with its code and the connection closed. Ping and Close send those frames
// yourself; Protocol.PingInterval pings for you and drops the silent. When
// the worker's process stops or is replaced, each open connection is sent a
// Close frame with 1001 (going away) before it closes.
//
// What breaks the protocol ends the connection with a Close frame carrying
// the code of RFC 6455 section 7.4.1: an unmasked frame from a client, RSV
// bits (no extension is negotiated), an unknown opcode, a control frame that
// is fragmented or over 125 bytes (1002); text that is not UTF-8 (1007); a
// message, fragments included, over the connection's MaxPackageSize (1009).
//
// Caveats:
//   - Send before the handshake completes (in OnConnect, say) waits and goes
//     out right after the 101, within the send buffer's limit (ErrQueueFull).
//   - The callbacks of Protocol and Client get a protocols.Conn, which is the
//     *connection.TcpConnection the worker's callbacks get.
//   - permessage-deflate is not offered; messages travel uncompressed.
//   - A Client's fields are shared by every connection using it: register a
//     Client of your own under a scheme of your own for other settings.
//   - A text message is a string of its own; a short one repeated on a
//     connection is the same string again, without an allocation.
package websocket
