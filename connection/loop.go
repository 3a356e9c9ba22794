package connection

import "github.com/workerman-go/workerman/internal/eventloop"

// loop is the process's event loop. Every connection lives on it, as a
// process has one, so a connection keeps no pointer to it.
var loop = eventloop.Default()

// onLoop is how a method that is safe from any goroutine begins:
//
//	if !onLoop(loop, (*TcpConnection).Method, c) {
//		return // handed to the loop
//	}
//
// It reports whether the caller runs on l; off the loop it first posts
// fn(t) there. The task is bound only off the loop, so a call on the loop
// allocates nothing.
func onLoop[T any](l *eventloop.Loop, fn func(T), t T) bool {
	if l.InLoop() {
		return true
	}
	l.Post(func() { fn(t) })
	return false
}

// onLoopWith is onLoop for a method with one argument: off the loop it posts
// fn(t, a).
func onLoopWith[T, A any](l *eventloop.Loop, fn func(T, A), t T, a A) bool {
	if l.InLoop() {
		return true
	}
	l.Post(func() { fn(t, a) })
	return false
}

// fail reports an error to OnError.
func (c *TcpConnection) fail(code int, msg string) {
	if c.OnError != nil {
		c.guard("OnError", func() { c.OnError(c, code, msg) })
	}
}

// guard runs a user callback; a panic is logged, counted, and ends only this
// connection.
func (c *TcpConnection) guard(where string, fn func()) {
	defer func() {
		if r := recover(); r != nil {
			loop.Recovered(where, r)
			c.Destroy()
		}
	}()
	fn()
}

// handler is the connection as the loop sees it, the same memory under
// another type: its methods are not part of TcpConnection's API, and it
// costs no field.
type handler TcpConnection

func (h *handler) OnData(_ *eventloop.Conn, b []byte) { (*TcpConnection)(h).parse(b) }
func (h *handler) OnDrain(_ *eventloop.Conn, queued bool) {
	(*TcpConnection)(h).drained(queued)
}
func (h *handler) OnClose(_ *eventloop.Conn, err error) { (*TcpConnection)(h).finish(err) }
