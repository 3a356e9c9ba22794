package http_test

import (
	"io"
	"net"
	"testing"

	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/internal/eventloop"
	"github.com/workerman-go/workerman/protocols/http"
	"github.com/workerman-go/workerman/worker"
)

// BenchmarkServerSentEventsSend is c.Send(event) on a real event stream over
// loopback: encode into the connection's buffer and the loop's write, with a
// client reading everything. Sends run on the loop in batches of 256 (one
// Exec each, whose own cost is spread over the batch).
func BenchmarkServerSentEventsSend(b *testing.B) {
	conns := make(chan *connection.TcpConnection, 1)
	w := worker.New("http://127.0.0.1:0")
	w.MaxSendBufferSize = 64 << 20
	w.OnMessage = func(c *connection.TcpConnection, _ any) {
		c.Send(http.NewResponse(200, http.Header{"Content-Type": "text/event-stream"}, ""))
		conns <- c
	}
	g, err := worker.Start(w)
	if err != nil {
		b.Fatal(err)
	}
	defer g.Stop()
	client := dialB(b, w.Addr().String())
	defer client.Close()
	client.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n"))
	go io.Copy(io.Discard, client)
	c := <-conns

	e := &http.ServerSentEvents{Event: "message", ID: "1", Data: "hello"}
	l := eventloop.Default()
	const batch = 256
	b.ReportAllocs()
	b.SetBytes(int64(len("event: message\nid: 1\ndata: hello\n\n")))
	b.ResetTimer()
	for sent := 0; sent < b.N; sent += batch {
		n := min(batch, b.N-sent)
		l.Exec(func() {
			for i := 0; i < n; i++ {
				c.Send(e)
			}
		})
	}
}

func dialB(b *testing.B, addr string) net.Conn {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	return c
}
