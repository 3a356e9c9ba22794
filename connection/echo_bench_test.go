package connection_test

import (
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/internal/eventloop"
	"github.com/workerman-go/workerman/internal/nettest"
	"github.com/workerman-go/workerman/worker"
)

// The echo benchmarks time one round trip over loopback: the client writes a
// pre-built request and reads the echo into a reused buffer, so the client
// allocates nothing per op and allocs/op is what the server spends. Each
// pipelined op writes benchPipeline messages at once and reads them all back.

const (
	benchPayload  = 64 // bytes of each message on the wire
	benchPipeline = 16
	// benchParallelism times GOMAXPROCS clients, one connection each, run
	// the many-connection variants.
	benchParallelism = 32
)

// benchWire is one message in each protocol's wire form, benchPayload bytes.
var benchWire = map[string][]byte{
	"tcp":   bytes.Repeat([]byte("x"), benchPayload),
	"text":  append(bytes.Repeat([]byte("x"), benchPayload-1), '\n'),
	"frame": append(binary.BigEndian.AppendUint32(nil, benchPayload), bytes.Repeat([]byte("x"), benchPayload-4)...),
}

// benchBackends are the backends of this system, the default first.
func benchBackends() []eventloop.Backend {
	if runtime.GOOS == "linux" {
		return []eventloop.Backend{eventloop.Epoll, eventloop.Portable}
	}
	return []eventloop.Backend{eventloop.Portable}
}

// BenchmarkEcho: workerman-go echo servers, one connection, by backend,
// protocol and pipelining. Raw tcp hands OnMessage a []byte valid during the
// callback and Send copies it: no allocation. Text and frame hand OnMessage
// a string, which costs its allocation.
func BenchmarkEcho(b *testing.B) {
	for _, backend := range benchBackends() {
		for _, scheme := range []string{"tcp", "text", "frame"} {
			for _, pipeline := range []int{1, benchPipeline} {
				name := string(backend) + "/" + scheme + "/" + pipelineName(pipeline)
				b.Run(name, func(b *testing.B) {
					addr := benchServe(b, backend, scheme)
					benchRoundTrips(b, addr, bytes.Repeat(benchWire[scheme], pipeline), pipeline)
				})
			}
		}
		b.Run(string(backend)+"/tcp/many-conns", func(b *testing.B) {
			benchManyConns(b, benchServe(b, backend, "tcp"), benchWire["tcp"])
		})
	}
}

// BenchmarkEchoPeer is the same raw echo served the plain Go way: one
// goroutine per connection, blocking Read and Write on a net.Conn.
func BenchmarkEchoPeer(b *testing.B) {
	for _, pipeline := range []int{1, benchPipeline} {
		b.Run("goroutine-per-conn/tcp/"+pipelineName(pipeline), func(b *testing.B) {
			addr := benchGoroutineEchoServer(b)
			benchRoundTrips(b, addr, bytes.Repeat(benchWire["tcp"], pipeline), pipeline)
		})
	}
	b.Run("goroutine-per-conn/tcp/many-conns", func(b *testing.B) {
		benchManyConns(b, benchGoroutineEchoServer(b), benchWire["tcp"])
	})
}

func pipelineName(n int) string {
	if n == 1 {
		return "one"
	}
	return "pipelined"
}

// benchServe starts an echo worker for scheme on backend and returns its address.
func benchServe(tb testing.TB, backend eventloop.Backend, scheme string) string {
	tb.Helper()
	if err := eventloop.SetBackend(backend); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { eventloop.SetBackend(eventloop.DefaultBackend()) })
	w := worker.New(scheme + "://127.0.0.1:0")
	w.OnMessage = func(c *connection.TcpConnection, data any) { c.Send(data) }
	return nettest.Serve(tb, w)
}

// benchGoroutineEchoServer is the peer: net.Listen, a goroutine per connection.
func benchGoroutineEchoServer(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	nettest.GoServe(tb, ln, func(c net.Conn) {
		buf := make([]byte, 64<<10)
		for {
			n, err := c.Read(buf)
			if err != nil {
				return
			}
			if _, err := c.Write(buf[:n]); err != nil {
				return
			}
		}
	})
	return ln.Addr().String()
}

// benchClient dials addr and returns a round trip that writes req and reads
// len(req) bytes back into a reused buffer: it allocates nothing.
func benchClient(tb testing.TB, addr string, req []byte) (roundTrip func(), resp []byte) {
	tb.Helper()
	conn := nettest.Dial(tb, addr)
	conn.SetDeadline(time.Time{}) // a long -benchtime may outlast nettest.Timeout
	resp = make([]byte, len(req))
	return func() {
		if _, err := conn.Write(req); err != nil {
			tb.Fatal(err)
		}
		if _, err := io.ReadFull(conn, resp); err != nil {
			tb.Fatal(err)
		}
	}, resp
}

// benchRoundTrips times one round trip of req, holding msgs messages, per op.
func benchRoundTrips(b *testing.B, addr string, req []byte, msgs int) {
	roundTrip, resp := benchClient(b, addr, req)
	roundTrip() // warm up: buffers, the connection's first read
	if !bytes.Equal(resp, req) {
		b.Fatalf("echo returned %q, want %q", resp, req)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(req)))
	for b.Loop() {
		roundTrip()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*msgs), "ns/msg")
}

// benchManyConns runs round trips of req from benchParallelism×GOMAXPROCS
// clients at once, each on its own connection; an op is one round trip.
func benchManyConns(b *testing.B, addr string, req []byte) {
	n := benchParallelism * runtime.GOMAXPROCS(0)
	conns := make(chan net.Conn, n)
	for range n {
		conn := nettest.Dial(b, addr)
		conn.SetDeadline(time.Time{})
		conns <- conn
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(req)))
	b.SetParallelism(benchParallelism)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		conn := <-conns
		resp := make([]byte, len(req))
		for pb.Next() {
			if _, err := conn.Write(req); err != nil {
				b.Error(err)
				return
			}
			if _, err := io.ReadFull(conn, resp); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// TestBenchmarkServersEcho checks the benchmarks' servers, so that a broken
// one fails in `go test` and not only under -bench.
func TestBenchmarkServersEcho(t *testing.T) {
	type server struct {
		name  string
		start func(t *testing.T) string
		wire  []byte
	}
	servers := []server{{"the goroutine-per-connection peer", func(t *testing.T) string { return benchGoroutineEchoServer(t) }, benchWire["tcp"]}}
	for _, backend := range benchBackends() {
		for _, scheme := range []string{"tcp", "text", "frame"} {
			servers = append(servers, server{
				"the " + scheme + " worker on " + string(backend),
				func(t *testing.T) string { return benchServe(t, backend, scheme) },
				benchWire[scheme],
			})
		}
	}
	for _, s := range servers {
		t.Run(s.name+" echoes single and pipelined messages", func(t *testing.T) {
			addr := s.start(t)
			for _, pipeline := range []int{1, benchPipeline} {
				req := bytes.Repeat(s.wire, pipeline)
				roundTrip, resp := benchClient(t, addr, req)
				for range 50 {
					clear(resp)
					roundTrip()
					if !bytes.Equal(resp, req) {
						t.Fatalf("echo returned %q, want %q", resp, req)
					}
				}
			}
		})
	}
}
