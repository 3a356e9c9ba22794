package connection_test

import (
	"bytes"
	"io"
	"sync/atomic"
	"testing"
	"time"

	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/internal/eventloop"
	"github.com/workerman-go/workerman/internal/nettest"
	"github.com/workerman-go/workerman/worker"
)

// pattern fills b with the bytes of the stream from offset off on.
func pattern(b []byte, off int) {
	for i := range b {
		b[i] = byte((off + i) % 251)
	}
}

// maxInt64 raises m to v.
func maxInt64(m *atomic.Int64, v int64) {
	for {
		old := m.Load()
		if v <= old || m.CompareAndSwap(old, v) {
			return
		}
	}
}

func TestPipe(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		t.Run("a proxy carries 100 MB both ways with bounded buffers", func(t *testing.T) {
			const total = 100 << 20
			const limit = 256 << 10
			// The echo server pipes each connection to itself: it too reads
			// only as fast as its peer takes the echo.
			echo := worker.New("tcp://127.0.0.1:0")
			echo.OnConnect = func(c *connection.TcpConnection) { c.Pipe(c) }
			serve(t, echo)

			var held, fulls, drains atomic.Int64
			closed := make(chan struct{}, 2)
			filled := make(chan struct{}, 1)
			// measure wraps what Pipe set on src: after each message forwarded,
			// the bytes dest holds.
			measure := func(src, dest *connection.TcpConnection) {
				forward := src.OnMessage
				src.OnMessage = func(c *connection.TcpConnection, data any) {
					forward(c, data)
					maxInt64(&held, int64(dest.SendBufferSize()))
				}
				full, drain := dest.OnBufferFull, dest.OnBufferDrain
				dest.OnBufferFull = func(c *connection.TcpConnection) {
					fulls.Add(1)
					full(c)
					select {
					case filled <- struct{}{}:
					default:
					}
				}
				dest.OnBufferDrain = func(c *connection.TcpConnection) { drains.Add(1); drain(c) }
				closeDest := src.OnClose
				src.OnClose = func(c *connection.TcpConnection) { closeDest(c); closed <- struct{}{} }
			}
			proxy := worker.New("tcp://127.0.0.1:0")
			proxy.OnConnect = func(c *connection.TcpConnection) {
				backend, err := connection.NewAsync("tcp://" + echo.Addr().String())
				if err != nil {
					t.Error(err)
					c.Close()
					return
				}
				c.MaxSendBufferSize = limit
				backend.MaxSendBufferSize = limit
				c.Pipe(&backend.TcpConnection)
				backend.Pipe(c)
				measure(c, &backend.TcpConnection)
				measure(&backend.TcpConnection, c)
				backend.Connect()
			}
			serve(t, proxy)
			failsBefore := connection.Stats().SendFails

			nc := dial(t, proxy)
			nc.SetDeadline(time.Now().Add(5 * time.Minute))
			go func() {
				chunk := make([]byte, 64<<10)
				for off := 0; off < total; off += len(chunk) {
					pattern(chunk, off)
					if _, err := nc.Write(chunk); err != nil {
						return
					}
				}
			}()
			// The client reads nothing until the proxy has had to hold back:
			// the kernel's buffers alone would otherwise absorb the stream.
			select {
			case <-filled:
			case <-time.After(nettest.Timeout):
				t.Fatal("no send buffer of the proxy ever filled")
			}
			got := make([]byte, 64<<10)
			want := make([]byte, len(got))
			for off := 0; off < total; {
				n, err := io.ReadFull(nc, got[:min(len(got), total-off)])
				if err != nil {
					t.Fatalf("after %d bytes: %v", off, err)
				}
				pattern(want[:n], off)
				if !bytes.Equal(got[:n], want[:n]) {
					t.Fatalf("bytes from %d differ", off)
				}
				off += n
			}
			nc.Close()
			<-closed // the client's side closes the backend,
			<-closed // and the backend's close is passed on
			t.Logf("most held by a piped connection: %d bytes; OnBufferFull %d times", held.Load(), fulls.Load())
			if max := held.Load(); max > limit+eventloop.ReadBufferSize {
				t.Errorf("a piped connection held %d bytes, more than %d + one read", max, limit)
			}
			if fulls.Load() == 0 || drains.Load() == 0 {
				t.Errorf("OnBufferFull ran %d times, OnBufferDrain %d: the proxy never paused", fulls.Load(), drains.Load())
			}
			if n := connection.Stats().SendFails - failsBefore; n != 0 {
				t.Errorf("%d sends dropped", n)
			}
		})
		t.Run("the backend closing closes the client", func(t *testing.T) {
			backendSrv := worker.New("text://127.0.0.1:0")
			backendSrv.OnMessage = func(c *connection.TcpConnection, data any) { c.Close("bye " + data.(string)) }
			serve(t, backendSrv)
			proxy := worker.New("tcp://127.0.0.1:0")
			proxy.OnConnect = func(c *connection.TcpConnection) {
				backend, err := connection.NewAsync("tcp://" + backendSrv.Addr().String())
				if err != nil {
					t.Error(err)
					return
				}
				c.Pipe(&backend.TcpConnection)
				backend.Pipe(c)
				backend.Connect()
			}
			serve(t, proxy)
			nc := dial(t, proxy)
			io.WriteString(nc, "alice\n")
			b, err := io.ReadAll(nc)
			if err != nil || string(b) != "bye alice\n" {
				t.Fatalf("got %q, %v; want the reply, then EOF", b, err)
			}
		})
	})
}

func TestEarlyBufferFlow(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		t.Run("sends before connecting fill and drain like a send buffer", func(t *testing.T) {
			w := echoWorker("text://127.0.0.1:0")
			serve(t, w)
			c, err := connection.NewAsync("text://" + w.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			events := make(chan string, 4)
			c.MaxSendBufferSize = 8
			c.OnBufferFull = func(*connection.TcpConnection) { events <- "full" }
			c.OnBufferDrain = func(*connection.TcpConnection) { events <- "drain" }
			c.OnMessage = func(_ *connection.TcpConnection, data any) { events <- data.(string) }
			var first, second error
			eventloop.Default().Exec(func() { // on the loop, where Send reports a drop
				first, second = c.Send("0123456789"), c.Send("dropped")
				c.Connect()
			})
			if first != nil || second != connection.ErrBufferFull {
				t.Fatalf("sends: %v, %v; want nil, ErrBufferFull", first, second)
			}
			// The echo may overtake the drain: the portable backend writes
			// on a goroutine of its own and reports back to the loop later.
			a, b, m := <-events, <-events, <-events
			if b > m {
				b, m = m, b
			}
			if a != "full" || b != "0123456789" || m != "drain" {
				t.Fatalf("events %q %q %q; want full, then the echo and drain", a, b, m)
			}
			c.Close()
		})
	})
}
