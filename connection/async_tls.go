package connection

import (
	"crypto/tls"
	"net"

	"github.com/workerman-go/workerman/internal/eventloop"
)

// SetTLS makes the connection speak TLS to its peer, with conf (which may
// be nil: the system's roots, the dialled host as ServerName); the schemes
// "ssl" (raw tcp) and "wss" (WebSocket) set it with a nil conf. OnConnect
// runs once the handshake has ended; a handshake that fails (a certificate
// the config does not trust, a name it does not cover) runs OnError with
// ConnectFail and a message that says why, then OnClose, as a failed
// connect does. Each connect and reconnect makes a fresh handshake.
// Loop-only, or before the first Connect.
func (c *AsyncTcpConnection) SetTLS(conf *tls.Config) {
	if conf == nil {
		conf = &tls.Config{}
	}
	c.rare().tlsConf = conf
}

// tlsScheme is the scheme that a TLS scheme runs over, and the TLS it
// asks for.
func tlsScheme(scheme string) (inner string, secure bool) {
	switch scheme {
	case "ssl":
		return "tcp", true
	case "wss":
		return "ws", true
	}
	return scheme, false
}

// attachTLS attaches a just-dialled socket of a TLS client connection and
// starts its handshake; it reports false for a connection without TLS.
// Loop-only.
func (c *AsyncTcpConnection) attachTLS(sock *eventloop.Conn) bool {
	r := c.more
	if r.tlsConf == nil {
		return false
	}
	conf := r.tlsConf
	if conf.ServerName == "" {
		host, _, _ := net.SplitHostPort(r.target)
		conf = conf.Clone()
		conf.ServerName = host
	}
	t := c.newTLS(tls.Client, conf, c.ConnectTimeout)
	t.peer = r.target
	t.pending, r.early = r.early, nil // sent first, once encrypted
	t.onReady = func() {
		if c.OnConnect != nil {
			c.guard("OnConnect", func() { c.OnConnect(c) })
		}
	}
	c.attach(sock)
	sock.SetHandler((*tlsHandler)(&c.TcpConnection))
	if c.Status() == StatusEstablished {
		t.state = tlsShaking
		go c.handshake(t)
	}
	return true
}
