package connection

// Pipe forwards everything c receives to dest (Workerman's pipe): each
// message goes to dest.Send, c stops reading while dest's send buffer is full
// and reads again once it drains, and dest is closed (after its buffer is
// written out) when c closes. It sets c's OnMessage and OnClose and dest's
// OnBufferFull and OnBufferDrain, replacing what they held. A proxy pipes
// both ways:
//
//	client.Pipe(&backend.TcpConnection)
//	backend.Pipe(client)
//
// What a piped connection holds is bounded: dest's send buffer takes at most
// MaxSendBufferSize plus the one read that filled it. Loop-only.
func (c *TcpConnection) Pipe(dest *TcpConnection) {
	c.OnMessage = func(_ *TcpConnection, data any) { dest.Send(data) }
	c.OnClose = func(*TcpConnection) { dest.Close() }
	dest.OnBufferFull = func(*TcpConnection) { c.PauseRecv() }
	dest.OnBufferDrain = func(*TcpConnection) { c.ResumeRecv() }
}
