package http_test

import (
	"io"
	"net"
	nethttp "net/http"
	"testing"

	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/internal/nettest"
	"github.com/workerman-go/workerman/protocols/http"
)

// TestStatusCounts: each response a real client gets is counted in its
// status class, those the application sends and those the server makes up.
func TestStatusCounts(t *testing.T) {
	addr := serveHTTP(t, nil, func(c *connection.TcpConnection, r *http.Request) {
		switch r.Path() {
		case "/text":
			c.Send("ok")
		case "/missing":
			c.Send(http.NewResponse(404, nil, "no"))
		default:
			c.Send(http.NewResponse(503, nil, "later"))
		}
	})
	before := http.StatusCounts()
	for _, path := range []string{"/text", "/text", "/missing", "/down"} {
		res, err := nethttp.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
	nc := nettest.Dial(t, addr)
	io.WriteString(nc, "BAD\r\n\r\n")
	io.Copy(io.Discard, nc)
	nc.(*net.TCPConn).Close()

	after := http.StatusCounts()
	want := [5]uint64{0, 2, 0, 2, 1}
	for i := range want {
		if got := after[i] - before[i]; got != want[i] {
			t.Errorf("%dxx: counted %d, want %d (before %v, after %v)", i+1, got, want[i], before, after)
		}
	}
}
