package websocket_test

import (
	"testing"

	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/internal/nettest"
	"github.com/workerman-go/workerman/protocols/websocket"
	"github.com/workerman-go/workerman/worker"
)

// TestStopSaysGoingAway: a worker that stops tells each open WebSocket that
// the server is going away (a Close frame with 1001) before the connection
// closes; a connection still shaking hands is closed with nothing said.
func TestStopSaysGoingAway(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		w := worker.New("websocket://127.0.0.1:0")
		w.OnMessage = func(c *connection.TcpConnection, data any) { c.Send(data) }
		g, err := worker.Start(w)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(g.Stop)
		addr := w.Addr().String()
		open := open(t, addr)
		open.send(0x81, "hi")
		if f := open.read(); f.op() != 1 || f.payload != "hi" {
			t.Fatalf("echo: %#x %q", f.first, f.payload)
		}
		shaking := dialRaw(t, addr)
		shaking.Write([]byte("GET /chat HTTP/1.1\r\nHost: 127.0.0.1\r\n"))
		nettest.Eventually(t, "both connections accepted", func() bool {
			n := make(chan int)
			worker.Post(func() { n <- len(w.Connections()) })
			return <-n == 2
		})

		g.Stop()
		if f := open.read(); f.op() != 8 || f.closeCode() != websocket.CloseGoingAway {
			t.Fatalf("got %#x %q, want a Close frame with 1001", f.first, f.payload)
		}
		open.expectEOF()
		shaking.expectEOF()
	})
}
