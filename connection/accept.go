package connection

import (
	"github.com/workerman-go/workerman/internal/eventloop"
	"github.com/workerman-go/workerman/protocols"
)

// Options are for package worker only: what Accept needs to make a
// server-side connection, filled in from a Worker's fields. Applications set
// the Worker's fields instead.
type Options struct {
	Callbacks
	Limits
	Protocol  protocols.Protocol
	Transport string // "tcp" or "unix"
	Worker    string // the worker's name, for tables

	// OnGone runs after OnClose, once the connection is gone.
	OnGone func(c *TcpConnection)
}

// Accept is for package worker only: it wraps a socket the loop just
// accepted. Applications cannot call it, as the socket comes from the
// framework's internal loop; they get their connections in OnConnect.
// Loop-only.
func Accept(sock *eventloop.Conn, o Options) *TcpConnection {
	c := &TcpConnection{
		Callbacks: o.Callbacks,
		Limits:    o.Limits,
		id:        nextID.Add(1),
		protocol:  o.Protocol,
		transport: o.Transport,
		worker:    o.Worker,
		onGone:    o.OnGone,
		out:       pending{slot: -1},
	}
	c.withDefaults()
	if c.transport == "" {
		c.transport = "tcp"
	}
	c.attach(sock)
	return c
}
