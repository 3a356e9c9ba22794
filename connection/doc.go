// Package connection holds the connections a worker process talks through: a
// TcpConnection per accepted TCP or unix socket, an AsyncTcpConnection per
// connection the process dials out itself, a UdpConnection for the sender
// of each datagram a udp:// worker receives and an AsyncUdpConnection for a
// UDP peer the process talks to itself; their statuses, limits, and the
// statistics of the process.
//
// A worker accepts the socket and hands each connection its protocol and
// callbacks (an AsyncTcpConnection gets them from its scheme and fields).
// Bytes read become packages (the protocol's Input), packages
// become messages (Decode) for OnMessage, and Send encodes replies (Encode)
// into the connection's send buffer. The loop writes the buffer once at the
// end of the round, however many replies the round produced: answering
// sixteen pipelined requests costs one write.
//
//	w.OnMessage = func(c *connection.TcpConnection, data any) {
//		if data == "quit" {
//			c.Close("bye") // sends, then closes once written
//			return
//		}
//		c.Send("echo: " + data.(string))
//	}
//
// Safe from any goroutine (this is the whole list; every other method and
// every field, the callbacks included, is loop-only):
//
//	TcpConnection        Send, SendNow, SendRaw, Close, End, Destroy,
//	                     PauseRecv, ResumeRecv, Status, ID
//	AsyncTcpConnection   the above, Connect, Reconnect
//	UdpConnection        Send, Close
//	AsyncUdpConnection   Send, Close, Connect, Status
//	package              Stats
//
// Off the loop the call is queued to the loop, which runs it in order with
// everything else; Send and SendRaw can then report only ErrClosed.
//
// Limits, per connection, copied from the worker at accept:
//
//	MaxSendBufferSize  1 MiB  bytes waiting for the peer; past it OnBufferFull
//	                          runs and further sends are dropped with
//	                          OnError(SendFail, ...) until the buffer drains
//	MaxPackageSize    10 MiB  one package, and the bytes held while waiting
//	                          for one; past it the connection is closed
//	LingerTimeout       1 s   how long End waits for the peer to close after
//	                          its reply is written and the write side shut
//	CloseTimeout        5 s   how long a closing connection may take to write
//	                          out its send buffer; then it is destroyed
//	WriteTimeout       60 s   how long output may wait with the peer taking
//	                          none of it; then the connection is destroyed
//
// And one for the process: InputBudget (256 MiB) caps the bytes of
// incomplete packages all connections hold together; the read that would
// pass it closes its connection with OnError(RecvBudgetFail, ...).
//
// Caveats:
//   - For raw tcp (no protocol) OnMessage receives each read as a []byte
//     valid only until OnMessage returns; copy it to keep it. Send copies, so
//     echoing it is safe. Text and frame hand OnMessage a string.
//   - The send-buffer check runs before a package is appended, so one large
//     Send always goes through; only the sends after it are dropped.
//   - A panic in a callback is recovered, logged with its stack, counted in
//     Stats().Panics, and ends only that connection.
//   - OnClose runs exactly once, on the loop, whoever closed the connection.
//   - Close waits for the send buffer to drain (CloseTimeout at most);
//     Destroy drops what is unsent.
//     End is for protocols answering bad input: the reply, a half-close, then
//     the close. GoAway is worker's when a process stops: Close, after the
//     protocol has told the peer the server goes (WebSocket's 1001).
//   - Accept, Options, HandleDatagram and PacketOptions are package worker's
//     way in; applications get their connections in the worker's callbacks.
package connection
