package connection

import (
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/workerman-go/workerman/internal/eventloop"
)

// DefaultHandshakeTimeout bounds a TLS handshake from the accept, like the
// HTTP header timeout.
const DefaultHandshakeTimeout = 20 * time.Second

// maxHandshakeInput is what the loop buffers before the handshake ends; past
// it, reading pauses until the handshake ends (a client may send its first
// request right behind its Finished).
const maxHandshakeInput = 64 << 10

// TLS runs crypto/tls over bytes the loop feeds, so that no read or write of
// the loop ever waits for a peer:
//
//   - The handshake, whose crypto/tls API can only block on its reads, runs
//     on a goroutine of its own that starts once the client's first flight
//     (a whole ClientHello record) is in, and ends with the handshake. A silent
//     or slow client costs a timer and its few buffered bytes, never a
//     goroutine; the handshake timeout ends the rest.
//   - After it, records are read and written on the loop: the loop hands a
//     read to tls.Conn.Read through an adapter whose Read returns the bytes of
//     that read and then a temporary error (which crypto/tls keeps no state
//     for), and tls.Conn.Write's records go straight into the send buffer.
type tlsLayer struct {
	conn     *tls.Conn
	io       tlsIO
	pending  []byte // plaintext sent before the handshake ended
	timer    eventloop.TimerID
	state    tlsState
	held     bool   // reading paused until the handshake ends
	onReady  func() // a client's OnConnect, run once the handshake ends
	peer     string // a client's dial target, for its errors; "" on a server
	closeErr error  // why a client's socket closed in its handshake
	batch    []byte // plaintext sent while a read's packages are handled
	batching bool
	received bool // the peer's records held plaintext
}

type tlsState uint8

const (
	tlsWaiting tlsState = iota // the first flight is not in yet
	tlsShaking                 // the handshake goroutine runs
	tlsReady                   // records are read and written on the loop
	tlsFailed                  // the handshake failed; nothing more is read
	tlsHungUp                  // a client's socket closed while its handshake ran
)

// tlsIO is the net.Conn under tls.Conn. During the handshake its Read waits
// for what the loop feeds and its Write posts to the loop; after it, both are
// the loop's own and never wait.
type tlsIO struct {
	c *TcpConnection

	mu     sync.Mutex
	cond   sync.Cond
	feed   []byte // what the handshake has not read yet
	closed bool

	src   []byte // loop mode: the read being decrypted
	rest  []byte // loop mode: what tls.Conn left of a read while paused
	ready bool   // loop mode
}

// errWouldBlock tells tls.Conn.Read that the loop has no more bytes now; as a
// temporary net.Error it leaves the tls.Conn usable.
var errWouldBlock net.Error = wouldBlock{}

type wouldBlock struct{}

func (wouldBlock) Error() string   { return "tls: no more input yet" }
func (wouldBlock) Timeout() bool   { return true }
func (wouldBlock) Temporary() bool { return true }

func (t *tlsIO) Read(p []byte) (int, error) {
	if t.ready {
		if len(t.src) == 0 {
			return 0, errWouldBlock
		}
		n := copy(p, t.src)
		t.src = t.src[n:]
		return n, nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for len(t.feed) == 0 && !t.closed {
		t.cond.Wait()
	}
	if len(t.feed) == 0 {
		return 0, net.ErrClosed
	}
	n := copy(p, t.feed)
	t.feed = t.feed[n:]
	return n, nil
}

func (t *tlsIO) Write(p []byte) (int, error) {
	c := t.c
	if t.ready {
		if c.sock == nil || c.sock.Closed() {
			return 0, net.ErrClosed
		}
		c.sock.Write(p)
		return len(p), nil
	}
	b := append([]byte(nil), p...)
	loop.Post(func() {
		if c.sock != nil && !c.sock.Closed() {
			c.sock.Write(b)
			c.watchOutput()
		}
	})
	return len(p), nil
}

// hangUp tells a waiting handshake that the peer has gone, keeping what it
// sent for the records that follow the handshake.
func (t *tlsIO) hangUp() {
	t.mu.Lock()
	t.closed = true
	t.mu.Unlock()
	t.cond.Broadcast()
}

// stop wakes a waiting handshake with an error.
func (t *tlsIO) stop() {
	t.mu.Lock()
	t.closed = true
	t.feed = nil
	t.mu.Unlock()
	t.cond.Broadcast()
}

func (t *tlsIO) Close() error                     { t.stop(); return nil }
func (t *tlsIO) LocalAddr() net.Addr              { return t.c.LocalAddr() }
func (t *tlsIO) RemoteAddr() net.Addr             { return t.c.RemoteAddr() }
func (t *tlsIO) SetDeadline(time.Time) error      { return nil }
func (t *tlsIO) SetReadDeadline(time.Time) error  { return nil }
func (t *tlsIO) SetWriteDeadline(time.Time) error { return nil }

// tlsOf is the connection's TLS layer, nil for plain tcp.
func (c *TcpConnection) tlsOf() *tlsLayer {
	if c.more == nil {
		return nil
	}
	return c.more.tls
}

// startTLS makes c a TLS server connection and starts its handshake timeout.
// Loop-only, before the connection is attached.
func (c *TcpConnection) startTLS(conf *tls.Config, timeout time.Duration) *tlsLayer {
	return c.newTLS(tls.Server, conf, timeout)
}

// newTLS gives c a TLS layer made by tls.Server or tls.Client. Loop-only.
func (c *TcpConnection) newTLS(side func(net.Conn, *tls.Config) *tls.Conn, conf *tls.Config, timeout time.Duration) *tlsLayer {
	t := &tlsLayer{}
	t.io.c = c
	t.io.cond.L = &t.io.mu
	t.conn = side(&t.io, conf)
	c.rare().tls = t
	if timeout <= 0 {
		timeout = DefaultHandshakeTimeout
	}
	t.timer = loop.AddSystemTimer(timeout, false, func() {
		t.timer = 0
		c.handshakeFailed(errors.New("handshake timeout after " + timeout.String()))
	})
	return t
}

// tlsHandler is a TLS connection as the loop sees it.
type tlsHandler TcpConnection

func (h *tlsHandler) OnData(_ *eventloop.Conn, b []byte) {
	c := (*TcpConnection)(h)
	t := c.more.tls
	switch t.state {
	case tlsReady:
		t.io.src = b
		if len(t.io.rest) > 0 {
			t.io.src, t.io.rest = append(t.io.rest, b...), nil
		}
		c.pumpTLS(t)
	case tlsWaiting, tlsShaking:
		t.io.mu.Lock()
		t.io.feed = append(t.io.feed, b...)
		n, first := len(t.io.feed), t.io.feed
		t.io.mu.Unlock()
		t.io.cond.Signal()
		if n > maxHandshakeInput && !t.held {
			t.held = true
			c.sock.PauseRead()
		}
		if t.state == tlsWaiting && firstFlightIn(first) {
			t.state = tlsShaking
			go c.handshake(t)
		}
	}
}

func (h *tlsHandler) OnDrain(_ *eventloop.Conn, queued bool) { (*TcpConnection)(h).drained(queued) }

func (h *tlsHandler) OnClose(_ *eventloop.Conn, err error) {
	c := (*TcpConnection)(h)
	t := c.more.tls
	if t.timer != 0 {
		loop.DelTimer(t.timer)
		t.timer = 0
	}
	if t.peer != "" && t.state == tlsShaking {
		// The server hung up on a client's handshake, as it does after the
		// client's alert: the handshake's own error, posted soon, says why.
		// Or the handshake ended and the server sent its data and left
		// before the loop heard of the end: what it sent is kept.
		t.io.hangUp()
		t.state, t.closeErr = tlsHungUp, err
		return
	}
	if t.state != tlsReady {
		t.io.stop()
	}
	t.pending = nil
	c.finish(err)
	if c.more.tls == t {
		c.more.tls = nil // a reconnect makes a fresh one
	}
}

// firstFlightIn reports whether b holds a whole first record, or enough to
// know it is no TLS record at all (which the handshake then reports).
func firstFlightIn(b []byte) bool {
	if len(b) < 5 {
		return false
	}
	if b[0] != 0x16 { // not a handshake record
		return true
	}
	return len(b) >= 5+int(b[3])<<8|int(b[4])
}

// handshake runs on its own goroutine and posts its outcome to the loop.
func (c *TcpConnection) handshake(t *tlsLayer) {
	err := t.conn.Handshake()
	loop.Post(func() {
		if t.state == tlsHungUp {
			if err != nil || !c.readAfterHangUp(t) {
				if err == nil {
					err = errors.New("the server closed the connection")
				}
				c.fail(ConnectFail, "TLS handshake with "+t.peer+" failed: "+err.Error())
			}
			c.finish(t.closeErr)
			if c.more.tls == t {
				c.more.tls = nil
			}
			return
		}
		if t.state != tlsShaking || c.Status() != StatusEstablished {
			return
		}
		if err != nil {
			c.handshakeFailed(err)
			return
		}
		c.handshakeDone(t)
	})
}

// handshakeDone moves record I/O onto the loop and decrypts what the client
// sent after its Finished. Loop-only.
func (c *TcpConnection) handshakeDone(t *tlsLayer) {
	if t.timer != 0 {
		loop.DelTimer(t.timer)
		t.timer = 0
	}
	t.state = tlsReady
	t.io.ready = true
	t.io.rest, t.io.feed = t.io.feed, nil // what came behind the client's Finished
	if len(t.pending) > 0 {
		p := t.pending
		t.pending = nil
		c.writeTLS(t, p)
	}
	if t.held {
		t.held = false
		c.sock.ResumeRead()
	}
	if t.onReady != nil {
		t.onReady()
	}
	c.resumeTLS()
}

// readAfterHangUp finishes a client's handshake that ended as the server
// hung up, and reads the records the server sent before it did; false when
// it sent none. Loop-only.
func (c *TcpConnection) readAfterHangUp(t *tlsLayer) bool {
	t.io.mu.Lock()
	rest := t.io.feed
	t.io.feed = nil
	t.io.mu.Unlock()
	if len(rest) == 0 {
		return false
	}
	t.state, t.io.ready, t.io.rest, t.pending = tlsReady, true, rest, nil
	if t.onReady != nil {
		t.onReady()
	}
	c.resumeTLS()
	return true
}

// handshakeFailed logs why the handshake failed and closes; a client that
// spoke plain HTTP gets a 400 saying so, as nginx answers. A client
// connection's failure goes to its OnError, as a failed connect does.
// Loop-only.
func (c *TcpConnection) handshakeFailed(err error) {
	t := c.tlsOf()
	if t == nil || t.state >= tlsReady || c.Status() != StatusEstablished {
		return
	}
	t.state = tlsFailed
	t.io.stop()
	t.pending = nil
	if t.timer != 0 {
		loop.DelTimer(t.timer)
		t.timer = 0
	}
	if t.peer != "" {
		c.fail(ConnectFail, "TLS handshake with "+t.peer+" failed: "+err.Error())
		c.Destroy()
		return
	}
	slog.Warn("workerman: SSL handshake error", "id", c.id, "remote", addrString(c.RemoteAddr()), "err", err)
	var rh tls.RecordHeaderError
	if errors.As(err, &rh) && looksLikeHTTP(rh.RecordHeader[:]) {
		c.End([]byte(plainHTTPReply))
		return
	}
	c.Destroy()
}

const plainHTTPReply = "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: 48\r\n\r\n" +
	"The plain HTTP request was sent to HTTPS port.\r\n"

// looksLikeHTTP reports whether a record header is the start of an HTTP
// request line: a method in capitals, then a space or a path.
func looksLikeHTTP(b []byte) bool {
	for i, ch := range b {
		if ch == ' ' && i > 2 {
			return true
		}
		if ch < 'A' || ch > 'Z' {
			return false
		}
	}
	return true
}

// pumpTLS decrypts the records the loop has and hands their plaintext to
// the protocol, until the bytes run out, the connection pauses or closes.
// Loop-only.
func (c *TcpConnection) pumpTLS(t *tlsLayer) {
	buf := loop.Buffer()
	defer func() {
		if len(t.io.src) > 0 { // paused or closed inside a read: keep the rest
			t.io.rest = append([]byte(nil), t.io.src...)
		}
		t.io.src = nil
		loop.Recycle(buf)
	}()
	for c.Status() == StatusEstablished && !c.sock.Paused() {
		buf = buf[:cap(buf)]
		n := 0
		var err error
		for n < len(buf) {
			var m int
			m, err = t.conn.Read(buf[n:])
			n += m
			if err != nil {
				break
			}
		}
		if n > 0 {
			t.received = true
			// The replies to one read's packages go out as one run of records.
			t.batching = true
			c.parse(buf[:n])
			t.batching = false
			c.flushTLS()
			if c.Status() == StatusClosing && !c.ending() {
				c.closeNotifyTLS() // after the reply that ended the connection
			}
			if c.Status() == StatusClosing && !c.sock.Closed() && c.sock.Buffered() == 0 && !c.ending() {
				c.Destroy() // Encode asked to close and appended nothing
			}
		}
		switch {
		case err == nil:
			continue // buf was full
		case errors.Is(err, errWouldBlock):
			return
		case errors.Is(err, io.EOF): // close_notify
			c.Destroy()
		default:
			slog.Warn("workerman: closing connection: bad TLS record", "id", c.id, "remote", addrString(c.RemoteAddr()), "err", err)
			c.Destroy()
		}
		return
	}
}

// resumeTLS decrypts what waited while reading was paused. Loop-only.
func (c *TcpConnection) resumeTLS() {
	if t := c.tlsOf(); t != nil && t.state == tlsReady {
		t.io.src, t.io.rest = t.io.rest, nil
		c.pumpTLS(t)
	}
}

// sendTLS encodes v and encrypts it into the send buffer; before the
// handshake ends the plaintext waits. Loop-only.
func (c *TcpConnection) sendTLS(t *tlsLayer, v any, raw bool) error {
	if t.state != tlsReady {
		if t.state >= tlsFailed || len(t.pending) >= c.MaxSendBufferSize {
			return c.dropSend()
		}
		var err error
		t.pending, err = c.encode(t.pending, v, raw)
		return err
	}
	if c.sock.Buffered()+len(t.batch) >= c.MaxSendBufferSize {
		return c.dropSend()
	}
	if t.batching {
		if t.batch == nil {
			t.batch = loop.Buffer()
		}
		var err error
		t.batch, err = c.encode(t.batch, v, raw)
		return err
	}
	buf, err := c.encode(loop.Buffer(), v, raw)
	c.writeTLS(t, buf)
	loop.Recycle(buf)
	if err != nil {
		return err
	}
	c.checkFull(c.sock.Buffered())
	if c.Status() == StatusClosing && c.sock.Buffered() == 0 && !c.ending() {
		c.Destroy()
	}
	return nil
}

// flushTLS encrypts what a TLS connection batched into its send buffer, as
// one run of records; Close, End and SendNow call it before they look at
// the send buffer. Loop-only.
func (c *TcpConnection) flushTLS() {
	t := c.tlsOf()
	if t == nil || t.batch == nil {
		return
	}
	b := t.batch
	t.batch = nil
	if c.sock != nil && !c.sock.Closed() {
		c.writeTLS(t, b)
		c.checkFull(c.sock.Buffered())
	}
	loop.Recycle(b)
}

// closeNotifyTLS encrypts what a TLS connection batched and ends its records
// with a close_notify alert, so that the peer can tell the end of the data
// from a cut connection. Close and End call it, and a read whose reply ended
// the connection (CloseWhenFlushed). Loop-only.
func (c *TcpConnection) closeNotifyTLS() {
	c.flushTLS()
	if t := c.tlsOf(); t != nil && t.state == tlsReady && c.sock != nil && !c.sock.Closed() {
		t.conn.CloseWrite()
		c.watchOutput()
	}
}

// writeTLS encrypts plaintext into the send buffer. Loop-only.
func (c *TcpConnection) writeTLS(t *tlsLayer, p []byte) {
	if len(p) == 0 {
		return
	}
	if _, err := t.conn.Write(p); err != nil {
		slog.Warn("workerman: closing connection: TLS write failed", "id", c.id, "remote", addrString(c.RemoteAddr()), "err", err)
		c.Destroy()
		return
	}
	c.watchOutput()
}
