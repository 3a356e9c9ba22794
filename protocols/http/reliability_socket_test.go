package http_test

import (
	"bufio"
	"fmt"
	"io"
	nethttp "net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/internal/nettest"
	"github.com/workerman-go/workerman/protocols/http"
	"github.com/workerman-go/workerman/worker"
)

// A client that pipelines far more requests than it reads: the server must
// stop reading while its send buffer is full instead of dropping responses,
// so that every request gets its own, in order, and the buffer stays near
// its limit.
func TestPipelinedResponsesWaitForAFullSendBufferInsteadOfDropping(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		const requests, limit = 20000, 16 << 10
		pad := strings.Repeat(".", 500) // 20,000 responses outgrow what the kernels buffer
		full := make(chan struct{}, 1)
		var drops, peak atomic.Int64
		addr := serveHTTP(t, nil, func(c *connection.TcpConnection, r *http.Request) {
			peak.Store(max(peak.Load(), int64(c.SendBufferSize())))
			c.Send(r.Path() + pad)
		}, func(w *worker.Worker) {
			w.MaxSendBufferSize = limit
			w.OnBufferFull = func(*connection.TcpConnection) {
				select {
				case full <- struct{}{}:
				default:
				}
			}
			w.OnError = func(c *connection.TcpConnection, code int, msg string) { drops.Add(1) }
		})
		nc := nettest.Dial(t, addr)
		wrote := make(chan error, 1)
		go func() {
			w := bufio.NewWriterSize(nc, 1<<20)
			for i := range requests - 1 {
				fmt.Fprintf(w, "GET /%d HTTP/1.1\r\nHost: a\r\n\r\n", i)
			}
			fmt.Fprintf(w, "GET /%d HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", requests-1)
			wrote <- w.Flush()
		}()
		<-full // the client has not read a byte, and the server's buffer is full
		r := bufio.NewReader(nc)
		for i := range requests {
			resp, err := nethttp.ReadResponse(r, nil)
			if err != nil {
				t.Fatalf("response %d of %d: %v (%d sends dropped)", i, requests, err, drops.Load())
			}
			body, err := io.ReadAll(resp.Body)
			if want := fmt.Sprintf("/%d", i) + pad; err != nil || string(body) != want {
				t.Fatalf("response %d is %.20q (%v), want %.20q (%d sends dropped)", i, body, err, want, drops.Load())
			}
		}
		if rest, _ := io.ReadAll(r); len(rest) > 0 {
			t.Fatalf("%d bytes after the last response: %.80q", len(rest), rest)
		}
		if err := <-wrote; err != nil {
			t.Fatalf("writing the requests: %v", err)
		}
		if p := peak.Load(); p >= limit+1024 {
			t.Fatalf("the send buffer held %d bytes before a response, limit %d: more than one response past it", p, limit)
		}
	})
}
