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
// permessage-deflate (RFC 7692) is on whenever the peer offers or accepts
// it (Compression turns it off): messages from Compression.Threshold up
// travel compressed, each alone by default, with compressors shared by the
// process, so that an idle connection holds no compression state.
//
// What breaks the protocol ends the connection with a Close frame carrying
// the code of RFC 6455 section 7.4.1: an unmasked frame from a client, RSV
// bits other than a compressed message's RSV1, RSV1 on a control or a
// continuation frame, an unknown opcode, a control frame that is fragmented
// or over 125 bytes (1002); text that is not UTF-8, refused at the fragment
// that holds the first bad byte, or a compressed message that does not
// inflate (1007); a message, fragments included, over the connection's
// MaxPackageSize, before or after inflating (1009). A fragmented compressed
// message is inflated as its fragments arrive, by an inflater of the
// package's own that can stop at any byte, so that what a fragment inflates
// to is checked at that fragment.
//
// Caveats:
//   - Send before the handshake completes (in OnConnect, say) waits and goes
//     out right after the 101, within the send buffer's limit (ErrQueueFull).
//   - The callbacks of Protocol and Client get a protocols.Conn, which is the
//     *connection.TcpConnection the worker's callbacks get.
//   - Context takeover (Compression.ContextTakeover) costs a compressor of
//     its own per connection, about 1.2 MB with Go's compress/flate.
//   - A process inflates at most 16 fragmented compressed messages as they
//     come, each holding what it inflated so far; one that starts while 16
//     are under way waits compressed and is checked once whole.
//   - A Client's fields are shared by every connection using it: give one
//     connection a Client of its own with AsyncTcpConnection.SetProtocol.
//   - A text message is a string of its own; a short one repeated on a
//     connection is the same string again, without an allocation.
package websocket
