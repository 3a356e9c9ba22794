package connection

import (
	"crypto/tls"
	"time"

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
	Transport string // "tcp", "unix" or "ssl"
	// TLS makes the connection a TLS server connection; HandshakeTimeout
	// bounds its handshake (DefaultHandshakeTimeout).
	TLS              *tls.Config
	HandshakeTimeout time.Duration
	Worker           string // the worker's name, for tables

	// Table is the worker's table of its open connections, by id: the
	// connection is in it from its accept until after its OnClose has run.
	// Each and Lookup see the connections of every such table.
	Table map[uint64]*TcpConnection
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
		origin:    originOf(o.Worker, o.Table, o.Protocol, o.Transport == "unix"),
	}
	c.withDefaults()
	if o.TLS != nil {
		c.startTLS(o.TLS, o.HandshakeTimeout)
	}
	c.attach(sock)
	if o.TLS != nil {
		sock.SetHandler((*tlsHandler)(c))
	}
	return c
}
