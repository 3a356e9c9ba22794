package websocket_test

import (
	"bufio"
	"encoding/binary"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/internal/nettest"
	"github.com/workerman-go/workerman/protocols/websocket"
	"github.com/workerman-go/workerman/worker"
)

// The handshake of RFC 6455 section 1.3, and the accept key it must get.
const (
	sampleKey    = "dGhlIHNhbXBsZSBub25jZQ=="
	sampleAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
)

func handshakeRequest(extra string) string {
	return "GET /chat HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: " + sampleKey + "\r\nSec-WebSocket-Version: 13\r\n" + extra + "\r\n"
}

// serveWS starts a websocket worker with p (nil: the default protocol) whose
// OnMessage echoes every message, unless setup changes it.
func serveWS(t *testing.T, p *websocket.Protocol, setup ...func(w *worker.Worker)) string {
	t.Helper()
	w := worker.New("websocket://127.0.0.1:0")
	if p != nil {
		w.Protocol = p
	}
	w.OnMessage = func(c *connection.TcpConnection, data any) { c.Send(data) }
	for _, f := range setup {
		f(w)
	}
	return nettest.Serve(t, w)
}

// peer is a raw socket that speaks frames by hand.
type peer struct {
	t *testing.T
	net.Conn
	r *bufio.Reader
}

func dialRaw(t *testing.T, addr string) *peer {
	t.Helper()
	c := nettest.Dial(t, addr)
	return &peer{t: t, Conn: c, r: bufio.NewReader(c)}
}

// open dials and completes the sample handshake.
func open(t *testing.T, addr string) *peer {
	t.Helper()
	p := dialRaw(t, addr)
	p.Write([]byte(handshakeRequest("")))
	status, head := p.readHead()
	if !strings.HasPrefix(status, "HTTP/1.1 101 ") || !strings.Contains(head, "Sec-WebSocket-Accept: "+sampleAccept+"\r\n") {
		t.Fatalf("handshake answered with %q\n%s", status, head)
	}
	return p
}

// readHead reads an HTTP response head: its status line and the rest.
func (p *peer) readHead() (status, head string) {
	p.t.Helper()
	var b strings.Builder
	for {
		line, err := p.r.ReadString('\n')
		if err != nil {
			p.t.Fatalf("reading a response head: %v (got %q)", err, b.String())
		}
		if status == "" {
			status = strings.TrimRight(line, "\r\n")
			continue
		}
		if line == "\r\n" {
			return status, b.String()
		}
		b.WriteString(line)
	}
}

// send writes one masked frame; first is its first byte (FIN, RSV, opcode).
func (p *peer) send(first byte, payload string) {
	p.t.Helper()
	if _, err := p.Write(clientFrame(first, []byte(payload), [4]byte{0x12, 0x34, 0x56, 0x78})); err != nil {
		p.t.Fatal(err)
	}
}

// clientFrame builds a frame as a client would, masked with key unless key
// is all zero (then unmasked, which a client must never send).
func clientFrame(first byte, payload []byte, key [4]byte) []byte {
	masked := key != [4]byte{}
	b := []byte{first}
	mbit := byte(0)
	if masked {
		mbit = 0x80
	}
	switch n := len(payload); {
	case n < 126:
		b = append(b, mbit|byte(n))
	case n <= 0xFFFF:
		b = append(b, mbit|126, byte(n>>8), byte(n))
	default:
		b = append(b, mbit|127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	if masked {
		b = append(b, key[:]...)
	}
	for i, c := range payload {
		if masked {
			c ^= key[i%4]
		}
		b = append(b, c)
	}
	return b
}

// frame is what a server sent.
type frame struct {
	first   byte
	payload string
}

func (f frame) op() byte { return f.first & 0x0F }

// closeCode is the code of a Close frame (0 when it has none).
func (f frame) closeCode() int {
	if len(f.payload) < 2 {
		return 0
	}
	return int(binary.BigEndian.Uint16([]byte(f.payload)))
}

// read reads one frame, which a server must not mask.
func (p *peer) read() frame {
	p.t.Helper()
	var h [2]byte
	if _, err := io.ReadFull(p.r, h[:]); err != nil {
		p.t.Fatalf("reading a frame: %v", err)
	}
	if h[1]&0x80 != 0 {
		p.t.Fatalf("server sent a masked frame")
	}
	n := uint64(h[1] & 0x7F)
	switch n {
	case 126:
		var l [2]byte
		io.ReadFull(p.r, l[:])
		n = uint64(binary.BigEndian.Uint16(l[:]))
	case 127:
		var l [8]byte
		io.ReadFull(p.r, l[:])
		n = binary.BigEndian.Uint64(l[:])
	}
	payload := make([]byte, n)
	if _, err := io.ReadFull(p.r, payload); err != nil {
		p.t.Fatalf("reading a %d-byte payload: %v", n, err)
	}
	return frame{h[0], string(payload)}
}

// expectEOF reads until the server closes the connection.
func (p *peer) expectEOF() {
	p.t.Helper()
	if b, err := io.ReadAll(p.r); err != nil && !isReset(err) {
		p.t.Fatalf("waiting for the server to close: %v (after %q)", err, b)
	} else if len(b) > 0 {
		p.t.Fatalf("server sent %q before closing, want nothing", b)
	}
}

func isReset(err error) bool { return strings.Contains(err.Error(), "connection reset") }
