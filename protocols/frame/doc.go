// Package frame is Workerman's frame protocol: every message is a 4-byte
// big-endian length, counting the header itself, followed by the payload.
// OnMessage receives the payload as a string; Send adds the header.
//
//	w := worker.New("frame://0.0.0.0:5679")
//	w.OnMessage = func(c *connection.TcpConnection, data any) {
//		c.Send(data) // echo
//	}
//
// Importing the package registers the "frame" scheme; the worker package
// imports it for you. A header announcing fewer than 4 bytes, or more than
// the connection's MaxPackageSize, closes the connection with a logged reason.
package frame
