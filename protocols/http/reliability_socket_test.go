package http_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	nethttp "net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

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

const reply408 = "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n"

// A body that trickles in a byte at a time never pauses long enough for the
// idle timeout; the minimum body rate stops it with 408.
func TestASlowBodyGets408(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		p := &http.Protocol{MinBodyRate: 1000, BodyRateGrace: 200 * time.Millisecond}
		addr := serveHTTP(t, p, func(c *connection.TcpConnection, r *http.Request) {
			t.Errorf("a body of %d bytes was delivered", len(r.RawBody()))
		})
		nc := nettest.Dial(t, addr)
		fmt.Fprint(nc, "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\n")
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() { // a byte every 10 ms: 100 bytes per second, under the rate
			defer close(done)
			for {
				select {
				case <-stop:
					return
				case <-time.After(10 * time.Millisecond):
				}
				if _, err := nc.Write([]byte{'x'}); err != nil {
					return
				}
			}
		}()
		defer func() { close(stop); <-done }()
		if got := readAll(t, nc); got != reply408 {
			t.Fatalf("got %q, want a 408", got)
		}
	})
}

// A body that stops halfway is told 408 at the idle timeout, like a head
// that never ends, not just dropped.
func TestABodyThatStopsGets408(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		addr := serveHTTP(t, &http.Protocol{IdleTimeout: 100 * time.Millisecond}, func(c *connection.TcpConnection, r *http.Request) {
			t.Errorf("a body of %d bytes was delivered", len(r.RawBody()))
		})
		nc := nettest.Dial(t, addr)
		fmt.Fprint(nc, "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nhalf")
		if got := readAll(t, nc); got != reply408 {
			t.Fatalf("got %q, want a 408", got)
		}
	})
}

// A connection that sends nothing at all is told 408 at the header timeout,
// as the manual says, not just dropped.
func TestASilentConnectionGets408(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		addr := serveHTTP(t, &http.Protocol{HeaderTimeout: 100 * time.Millisecond}, sendOK)
		if got := readAll(t, nettest.Dial(t, addr)); got != reply408 {
			t.Fatalf("got %q, want a 408", got)
		}
	})
}

// A client that asks for a large response and then reads none of it: once
// its output has waited the idle timeout without a byte taken, the server
// drops the connection and what it held, instead of holding both for ever.
func TestAClientThatStopsReadingIsDropped(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		closed := make(chan int, 1)
		addr := serveHTTP(t, &http.Protocol{IdleTimeout: 200 * time.Millisecond}, func(c *connection.TcpConnection, r *http.Request) {
			c.Send(strings.Repeat("x", 8<<20)) // one Send is taken whole, past the buffer's limit
		}, func(w *worker.Worker) {
			w.OnClose = func(c *connection.TcpConnection) { closed <- c.SendBufferSize() }
		})
		nc := nettest.Dial(t, addr)
		nc.(*net.TCPConn).SetReadBuffer(4 << 10)
		fmt.Fprint(nc, "GET /big HTTP/1.1\r\nHost: a\r\n\r\n")
		select {
		case <-closed:
		case <-time.After(nettest.Timeout):
			t.Fatalf("the connection is still open after %v with its response unread", nettest.Timeout)
		}
	})
}

// A handler that panics on the second of three pipelined requests: the first
// still gets its response, the second a 500, and the connection then closes.
func TestAPanickingHandlerAnswers500AfterEarlierResponses(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		addr := serveHTTP(t, nil, func(c *connection.TcpConnection, r *http.Request) {
			if r.Path() == "/panic" {
				panic("handler failed")
			}
			c.Send(r.Path())
		})
		nc := nettest.Dial(t, addr)
		fmt.Fprint(nc, "GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /panic HTTP/1.1\r\nHost: a\r\n\r\nGET /c HTTP/1.1\r\nHost: a\r\n\r\n")
		want := "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Type: text/html;charset=utf-8\r\nContent-Length: 2\r\n\r\n/a" +
			"HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\n\r\n"
		if got := readAll(t, nc); got != want {
			t.Fatalf("got %q\nwant %q", got, want)
		}
	})
}

// RFC 9112: an empty line before a request line is ignored (section 2.2), as
// after a POST whose client added a CRLF to its body; a Host that is no
// authority is 400 (section 3.2).
func TestEmptyLinesBeforeARequestAndBadHosts(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		addr := serveHTTP(t, nil, func(c *connection.TcpConnection, r *http.Request) { c.Send(r.Path()) })
		nc := nettest.Dial(t, addr)
		fmt.Fprint(nc, "POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
		want := "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Type: text/html;charset=utf-8\r\nContent-Length: 2\r\n\r\n/a" +
			"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: text/html;charset=utf-8\r\nContent-Length: 2\r\n\r\n/b"
		if got := readAll(t, nc); got != want {
			t.Fatalf("got %q\nwant %q", got, want)
		}
		nc = nettest.Dial(t, addr)
		fmt.Fprint(nc, "GET / HTTP/1.1\r\nHost: a b\r\n\r\n")
		if got := readAll(t, nc); got != "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n" {
			t.Fatalf("Host: a b got %q, want a 400", got)
		}
	})
}
