package connection

// PauseRecv stops reading from the connection (back-pressure). Safe from any
// goroutine.
func (c *TcpConnection) PauseRecv() {
	if !onLoop(loop, (*TcpConnection).PauseRecv, c) {
		return
	}
	if c.sock != nil {
		c.sock.PauseRead()
	}
}

// ResumeRecv reads again, first handing over packages already buffered. Safe
// from any goroutine.
func (c *TcpConnection) ResumeRecv() {
	if !onLoop(loop, (*TcpConnection).ResumeRecv, c) {
		return
	}
	if c.Status() != StatusEstablished || !c.sock.Paused() {
		return
	}
	c.sock.ResumeRead()
	if !c.reading && c.in != nil {
		c.parse(nil)
	}
	c.resumeTLS()
}

// IsPaused reports whether reading is paused. Loop-only.
func (c *TcpConnection) IsPaused() bool { return c.sock != nil && c.sock.Paused() }

// NotifyDrain runs fn once on the loop the next time the send buffer is
// empty; a later call replaces an earlier one. Loop-only.
func (c *TcpConnection) NotifyDrain(fn func()) {
	if fn != nil || c.more != nil {
		c.rare().onDrain = fn
	}
}

// drained runs when the kernel has taken every byte sent so far; queued says
// some of them had to wait for the socket. Loop-only.
func (c *TcpConnection) drained(queued bool) {
	c.unwatchOutput()
	if c.ending() {
		if c.linger() == 0 {
			c.halfClose()
		}
		return
	}
	if c.Status() == StatusClosing {
		c.Destroy()
		return
	}
	if r := c.more; r != nil && r.onDrain != nil {
		fn := r.onDrain
		r.onDrain = nil
		c.guard("drain", fn)
	}
	// Drain pairs with Full even when the kernel took the bytes at once.
	if (queued || c.full) && c.OnBufferDrain != nil {
		c.guard("OnBufferDrain", func() { c.OnBufferDrain(c) })
	}
	c.full = false
}
