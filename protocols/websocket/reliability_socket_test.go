package websocket_test

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/internal/nettest"
	"github.com/workerman-go/workerman/protocols/websocket"
	"github.com/workerman-go/workerman/worker"
)

// A client that sends pings far faster than it reads the pongs: the server
// must stop reading while its send buffer is full rather than drop pongs, so
// that every ping is answered, in order, and the Close frame after them too.
func TestPongsWaitForAFullSendBufferInsteadOfDropping(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		const pings = 40000 // 5 MB of pongs: more than the kernels buffer
		full := make(chan struct{}, 1)
		var drops atomic.Int64
		addr := serveWS(t, nil, func(w *worker.Worker) {
			w.MaxSendBufferSize = 4 << 10
			w.OnBufferFull = func(*connection.TcpConnection) {
				select {
				case full <- struct{}{}:
				default:
				}
			}
			w.OnError = func(*connection.TcpConnection, int, string) { drops.Add(1) }
		})
		p := open(t, addr)
		payload := func(i int) string { return fmt.Sprintf("%-120d", i) }
		go func() {
			var b bytes.Buffer
			for i := range pings {
				b.Write(clientFrame(0x89, []byte(payload(i)), [4]byte{1, 2, 3, 4}))
			}
			b.Write(clientFrame(0x88, []byte{0x03, 0xe8}, [4]byte{1, 2, 3, 4}))
			p.Write(b.Bytes())
		}()
		<-full // nothing read yet, and the server's buffer is full
		for i := range pings {
			f := p.read()
			if f.op() != 0xA || f.payload != payload(i) {
				t.Fatalf("frame %d: opcode %#x payload %.20q, want the pong of ping %d (%d sends dropped)", i, f.op(), f.payload, i, drops.Load())
			}
		}
		if f := p.read(); f.op() != 0x8 || f.closeCode() != 1000 {
			t.Fatalf("after the pongs: opcode %#x code %d, want the Close echo with 1000", f.op(), f.closeCode())
		}
		p.expectEOF()
	})
}

// A handler that panics on a message: the client is told 1011 in a Close
// frame, after the echo of the message before it.
func TestAPanickingHandlerSendsClose1011(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		addr := serveWS(t, nil, func(w *worker.Worker) {
			w.OnMessage = func(c *connection.TcpConnection, data any) {
				if data == "panic" {
					panic("handler failed")
				}
				c.Send(data)
			}
		})
		p := open(t, addr)
		var b bytes.Buffer
		b.Write(clientFrame(0x81, []byte("hello"), [4]byte{1, 2, 3, 4}))
		b.Write(clientFrame(0x81, []byte("panic"), [4]byte{1, 2, 3, 4}))
		p.Write(b.Bytes())
		if f := p.read(); f.op() != 0x1 || f.payload != "hello" {
			t.Fatalf("first frame: opcode %#x payload %q, want the echo of hello", f.op(), f.payload)
		}
		if f := p.read(); f.op() != 0x8 || f.closeCode() != 1011 {
			t.Fatalf("then: opcode %#x code %d, want a Close frame with 1011", f.op(), f.closeCode())
		}
		p.expectEOF()
	})
}

// A handshake that never ends is told 408 at the handshake timeout.
func TestAHandshakeThatNeverEndsGets408(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		addr := serveWS(t, &websocket.Protocol{HandshakeTimeout: 100 * time.Millisecond})
		p := dialRaw(t, addr)
		p.Write([]byte("GET / HTTP/1.1\r\nHost: a\r\n")) // and no more
		got, err := io.ReadAll(p)
		if err != nil || !strings.HasPrefix(string(got), "HTTP/1.1 408 ") {
			t.Fatalf("got %q (%v), want a 408 and the close", got, err)
		}
	})
}
