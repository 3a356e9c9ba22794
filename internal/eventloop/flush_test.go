package eventloop

import (
	"io"
	"net"
	"testing"
	"time"
)

// drainProbe records OnDrain calls and whether one ran inside a send.
type drainProbe struct {
	sending *bool
	drains  int
	inside  int
}

func (p *drainProbe) OnData(*Conn, []byte) {}
func (p *drainProbe) OnDrain(*Conn, bool) {
	p.drains++
	if *p.sending {
		p.inside++
	}
}
func (p *drainProbe) OnClose(*Conn, error) {}

// fanOut accepts n connections on l, each with a drainProbe, and returns
// them with their peers.
func fanOut(t *testing.T, l *Loop, n int, sending *bool) ([]*Conn, []*drainProbe, []net.Conn) {
	t.Helper()
	conns := make(chan *Conn, n)
	_, addr := listenOn(t, l, false, nil, func(c *Conn) { conns <- c })
	cs, ps, peers := make([]*Conn, n), make([]*drainProbe, n), make([]net.Conn, n)
	for i := range n {
		peer, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { peer.Close() })
		peer.SetDeadline(time.Now().Add(30 * time.Second))
		peers[i] = peer
		select {
		case cs[i] = <-conns:
		case <-time.After(30 * time.Second):
			t.Fatal("the loop never accepted")
		}
		ps[i] = &drainProbe{sending: sending}
		l.Exec(func() { cs[i].SetHandler(ps[i]) })
	}
	return cs, ps, peers
}

func TestABroadcastIsWrittenInBatchesBeforeTheCallbackReturns(t *testing.T) {
	backends(t, func(t *testing.T, l *Loop) {
		const n = 3*flushBatchConns + 1 // the last one alone in its batch
		sending := false
		cs, ps, peers := fanOut(t, l, n, &sending)
		msg := []byte("event\n")
		l.Exec(func() {
			sending = true
			defer func() { sending = false }()
			for i, c := range cs {
				c.Write(msg)
				if i == flushBatchConns-1 {
					// The first batch is out, its buffers back on the free
					// list, while the callback goes on: its first client reads.
					if cs[0].out != nil {
						t.Error("the first connection still holds its output after a full batch")
					}
					if got := readN(t, peers[0], len(msg)); string(got) != string(msg) {
						t.Errorf("first client read %q", got)
					}
				}
			}
			if cs[n-1].out == nil {
				t.Error("the last connection's output left before the callback returned, alone in its batch")
			}
		})
		for i := 1; i < n; i++ {
			if got := readN(t, peers[i], len(msg)); string(got) != string(msg) {
				t.Fatalf("client %d read %q", i, got)
			}
		}
		eventually(t, l, "every OnDrain", func() bool {
			for _, p := range ps {
				if p.drains == 0 {
					return false
				}
			}
			return true
		})
		l.Exec(func() {
			for i, p := range ps {
				if p.drains != 1 || p.inside != 0 {
					t.Errorf("connection %d: OnDrain ran %d times, %d of them inside a send", i, p.drains, p.inside)
				}
			}
		})
	})
}

func TestSendsToOneConnectionInOneCallbackLeaveInOneWrite(t *testing.T) {
	backends(t, func(t *testing.T, l *Loop) {
		sending := false
		cs, _, peers := fanOut(t, l, 1, &sending)
		c := cs[0]
		l.Exec(func() {
			for range 16 {
				c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))
			}
			if c.Buffered() != 16*40 || c.BytesWritten != 0 {
				t.Errorf("inside the callback: %d bytes waiting, %d written; want all 640 waiting", c.Buffered(), c.BytesWritten)
			}
		})
		if got := readN(t, peers[0], 16*40); len(got) != 640 {
			t.Fatalf("read %d bytes", len(got))
		}
	})
}

func TestABigSendIsWrittenThroughAndItsBufferReturned(t *testing.T) {
	backends(t, func(t *testing.T, l *Loop) {
		sending := false
		cs, ps, peers := fanOut(t, l, 1, &sending)
		c := cs[0]
		big := make([]byte, flushBatchBytes)
		done := make(chan []byte)
		go func() {
			b, _ := io.ReadAll(io.LimitReader(peers[0], int64(len(big))))
			done <- b
		}()
		l.Exec(func() {
			sending = true
			c.Write(big)
			sending = false
			if c.BytesWritten == 0 && l.backend == Epoll {
				t.Error("64 KiB waited for the end of the callback")
			}
		})
		if b := <-done; len(b) != len(big) {
			t.Fatalf("peer read %d of %d bytes", len(b), len(big))
		}
		eventually(t, l, "OnDrain", func() bool { return ps[0].drains == 1 })
		l.Exec(func() {
			if ps[0].inside != 0 {
				t.Error("OnDrain ran inside the send")
			}
		})
	})
}

func TestWriteNowWritesBeforeTheCallbackReturnsAndDrainsOnce(t *testing.T) {
	backends(t, func(t *testing.T, l *Loop) {
		sending := false
		cs, ps, peers := fanOut(t, l, 1, &sending)
		c := cs[0]
		l.Exec(func() {
			c.Write([]byte("first"))
			taken := c.WriteNow()
			if taken != (l.backend == Epoll) {
				t.Errorf("WriteNow = %v on %s", taken, l.backend)
			}
			if l.backend == Epoll && c.BytesWritten != 5 {
				t.Errorf("%d bytes written inside the callback, want 5", c.BytesWritten)
			}
			c.Write([]byte(" second")) // listed again: written at the callback's end
		})
		if got := readN(t, peers[0], 12); string(got) != "first second" {
			t.Fatalf("peer read %q", got)
		}
		eventually(t, l, "OnDrain", func() bool { return ps[0].drains >= 1 })
		l.Exec(func() {}) // a round more: a second OnDrain would have run by now
		l.Exec(func() {
			if ps[0].drains != 1 || ps[0].inside != 0 {
				t.Errorf("OnDrain ran %d times, %d inside the callback", ps[0].drains, ps[0].inside)
			}
		})
	})
}
