package connection_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/internal/eventloop"
	"github.com/workerman-go/workerman/internal/nettest"
	"github.com/workerman-go/workerman/worker"
)

// sendNowResult is one answer of SendNow.
type sendNowResult struct {
	written bool
	err     error
}

func TestSendNow(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		t.Run("written, then queued once the peer stops reading, then dropped", func(t *testing.T) {
			chunk := bytes.Repeat([]byte("x"), 64<<10)
			results := make(chan []sendNowResult, 1)
			w := worker.New("tcp://127.0.0.1:0")
			w.OnConnect = func(c *connection.TcpConnection) {
				c.MaxSendBufferSize = 256 << 10
				var rs []sendNowResult
				// The peer reads nothing: the kernel's buffers fill, then ours.
				for i := 0; i < 10000; i++ {
					written, err := c.SendNow(chunk)
					rs = append(rs, sendNowResult{written, err})
					if err != nil {
						break
					}
				}
				results <- rs
			}
			serve(t, w)
			dial(t, w)
			rs := <-results
			epoll := eventloop.Default().Backend() == eventloop.Epoll
			if rs[0].written != epoll || rs[0].err != nil {
				t.Fatalf("first SendNow = %v, %v on %s", rs[0].written, rs[0].err, eventloop.Default().Backend())
			}
			queued := 0
			for i, r := range rs[:len(rs)-1] {
				switch {
				case r.err != nil:
					t.Fatalf("send %d: %v before the buffer filled", i, r.err)
				case !r.written:
					queued++
				}
			}
			if last := rs[len(rs)-1]; queued == 0 || !errors.Is(last.err, connection.ErrBufferFull) {
				t.Fatalf("%d sends queued, the last ended in %v; want queued ones, then ErrBufferFull", queued, last.err)
			}
		})
		t.Run("off the loop the send is queued", func(t *testing.T) {
			conns := make(chan *connection.TcpConnection, 1)
			w := echoWorker("text://127.0.0.1:0")
			w.OnConnect = func(c *connection.TcpConnection) { conns <- c }
			serve(t, w)
			nc := dial(t, w)
			c := <-conns
			if written, err := c.SendNow("hello"); written || err != nil {
				t.Fatalf("SendNow off the loop = %v, %v; want false, nil", written, err)
			}
			if got := nettest.ReadN(t, nc, 6); got != "hello\n" {
				t.Fatalf("got %q", got)
			}
		})
	})
}
