package connection_test

import (
	"bytes"
	"io"
	"log/slog"
	"net"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/internal/nettest"
	"github.com/workerman-go/workerman/worker"
)

// logs captures the process's log lines for one test.
func logs(t *testing.T) func() string {
	var mu sync.Mutex
	var buf bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(lockedWriter{&mu, &buf}, nil)))
	t.Cleanup(func() { slog.SetDefault(old) })
	return func() string {
		mu.Lock()
		defer mu.Unlock()
		return buf.String()
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

func TestOutputToAPeerThatNeverReadsIsBounded(t *testing.T) {
	big := strings.Repeat("x", 20<<20) // far more than the kernel's buffers hold
	nettest.Backends(t, func(t *testing.T) {
		cases := []struct {
			name, why string
			close     bool // Close after the send
			limits    func(w *worker.Worker)
		}{
			{"Close gives up after CloseTimeout", "close timeout", true,
				func(w *worker.Worker) { w.CloseTimeout, w.WriteTimeout = 100*time.Millisecond, -1 }},
			{"output that makes no progress gives up after WriteTimeout", "write timeout", false,
				func(w *worker.Worker) { w.WriteTimeout = 100 * time.Millisecond }},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				logged := logs(t)
				w := worker.New("text://127.0.0.1:0")
				tc.limits(w)
				closed := make(chan *connection.TcpConnection, 1)
				w.OnMessage = func(c *connection.TcpConnection, _ any) {
					c.Send(big)
					if tc.close {
						c.Close()
					}
				}
				w.OnClose = func(c *connection.TcpConnection) { closed <- c }
				serve(t, w)
				nc := dial(t, w)
				nc.(*net.TCPConn).SetReadBuffer(4096)
				io.WriteString(nc, "big\n") // and never read
				start := time.Now()

				var c *connection.TcpConnection
				select {
				case c = <-closed:
				case <-time.After(30 * time.Second):
					t.Fatal("the connection is still open 30 s after its peer stopped reading")
				}
				// The unsent output is let go (the portable backend's writer
				// gives its part back once its write fails).
				for unsent := unsentOf(c); unsent != 0; unsent = unsentOf(c) {
					if time.Since(start) > 30*time.Second {
						t.Fatalf("the closed connection still holds %d unsent bytes", unsent)
					}
					time.Sleep(5 * time.Millisecond)
				}
				if !strings.Contains(logged(), "closing connection: "+tc.why) {
					t.Errorf("no log line says %q:\n%s", tc.why, logged())
				}
			})
		}
	})
}

// unsentOf asks the loop how many bytes c still holds for its peer.
func unsentOf(c *connection.TcpConnection) int {
	n := make(chan int)
	worker.Post(func() { n <- c.SendBufferSize() })
	return <-n
}

// Output dropped unsent is memory let go: after a burst of it the heap goes
// back to the system (a forced collection), although the server then
// allocates nothing that would start a collection.
func TestOutputDroppedUnsentGoesBackToTheSystem(t *testing.T) {
	big := strings.Repeat("x", 80<<20) // more than a burst
	nettest.Backends(t, func(t *testing.T) {
		w := worker.New("text://127.0.0.1:0")
		w.WriteTimeout = 100 * time.Millisecond
		closed := make(chan struct{}, 1)
		w.OnMessage = func(c *connection.TcpConnection, _ any) { c.Send(big) }
		w.OnClose = func(*connection.TcpConnection) { closed <- struct{}{} }
		serve(t, w)
		before := forcedGCs()
		nc := dial(t, w)
		nc.(*net.TCPConn).SetReadBuffer(4096)
		io.WriteString(nc, "big\n") // and never read
		select {
		case <-closed:
		case <-time.After(30 * time.Second):
			t.Fatal("the connection is still open 30 s after its peer stopped reading")
		}
		for deadline := time.Now().Add(30 * time.Second); forcedGCs() == before; time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("80 MiB dropped unsent, and no return of memory 30 s later")
			}
		}
	})
}

// forcedGCs counts the collections the process was asked for.
func forcedGCs() uint64 {
	s := []metrics.Sample{{Name: "/gc/cycles/forced:gc-cycles"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
