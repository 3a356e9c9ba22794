package eventloop

// Writing out. A connection answering its own pipelined requests gets one
// write per read batch: its replies wait in its output until the callback
// that read them returns. A callback that sends to many connections (a
// broadcast from a timer, a message fanned out to a room) does not make every
// one of them wait for the last: once flushBatchConns connections or
// flushBatchBytes bytes are waiting, those are written out at once, in the
// middle of the callback, and their buffers go back to the free list as soon
// as the kernel has the bytes. Several sends to one connection between two
// write-outs still leave in one write.
const (
	flushBatchConns = 64
	flushBatchBytes = 64 << 10
)

// later is a connection written out in the middle of a callback: what the
// write leads to (OnDrain, or the close after a write error) runs once the
// callback has returned, never inside someone else's send.
type later struct {
	c   *Conn
	err error
}

// sent notes n more bytes in c's output and writes out a batch once enough
// is waiting. Loop-only.
func (l *Loop) sent(c *Conn, n int) {
	if !c.is(connDirty) && !c.is(connClosed) {
		c.set(connDirty, true)
		l.dirty = append(l.dirty, c)
	}
	l.pending += n
	if (len(l.dirty) >= flushBatchConns || l.pending >= flushBatchBytes) && !l.flushing {
		l.flushBatch()
	}
}

// flushBatch writes out every connection waiting, now; the callbacks that
// follow wait for settle.
func (l *Loop) flushBatch() {
	l.writeDirty(true)
	l.pending = 0
}

// flush writes out what the callbacks since the last flush sent, one write
// per connection however many packages it answered, and runs what earlier
// write-outs left for later.
func (l *Loop) flush() {
	l.flushing = true
	for len(l.dirty) > 0 || len(l.later) > 0 {
		l.settle()
		l.writeDirty(false)
	}
	l.pending = 0
	l.flushing = false
}

// writeDirty writes every waiting connection: early in the middle of a
// callback (push), or at its end (flush, whose callbacks may send again and
// extend the list it walks).
func (l *Loop) writeDirty(early bool) {
	for i := 0; i < len(l.dirty); i++ {
		c := l.dirty[i]
		l.dirty[i] = nil
		if !c.is(connDirty) {
			continue // written out already by WriteNow, or listed again since
		}
		c.set(connDirty, false)
		switch {
		case c.is(connClosed):
		case early:
			c.backend().push(c)
		default:
			c.backend().flush(c)
		}
	}
	l.dirty = l.dirty[:0]
}

// settle runs the callbacks of the connections written out early.
func (l *Loop) settle() {
	for i := 0; i < len(l.later); i++ {
		w := l.later[i]
		l.later[i] = later{}
		switch {
		case w.c.is(connClosed):
		case w.err != nil:
			w.c.closeWith(w.err)
		case w.c.is(connDrainDue) && w.c.Buffered() == 0:
			w.c.drained()
		}
	}
	l.later = l.later[:0]
}

// WriteNow writes c's output at once instead of at the end of the callback,
// and reports whether the kernel has taken every byte: false means some wait
// for the socket (on the portable backend, always: its writer goroutine
// writes). What follows the write, OnDrain or the close after an error, still
// runs once the callback returns. Loop-only.
func (c *Conn) WriteNow() bool {
	if c.is(connClosed) {
		return false
	}
	if c.is(connDirty) {
		c.set(connDirty, false) // its entry in the loop's list is skipped
		c.backend().push(c)
	}
	return c.Buffered() == 0
}
