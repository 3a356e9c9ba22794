// Package text is Workerman's text protocol: every message is one line ending
// in "\n". OnMessage receives the line as a string without its line ending
// (trailing "\r" and "\n" are trimmed); Send appends "\n" to what it is given.
//
//	w := worker.New("text://0.0.0.0:5678")
//	w.OnMessage = func(c *connection.TcpConnection, data any) {
//		c.Send("hello " + data.(string))
//	}
//
// Importing the package registers the "text" scheme; the worker package
// imports it for you. A connection whose buffered bytes reach MaxPackageSize
// without a complete line is closed.
package text
