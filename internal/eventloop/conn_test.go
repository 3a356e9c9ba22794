package eventloop

import (
	"io"
	"net"
	"testing"
	"time"
)

func TestAPeerThatHalfClosesEndsTheConnection(t *testing.T) {
	backends(t, func(t *testing.T, l *Loop) {
		c, p, peer := accepted(t, l, nil)
		peer.Write([]byte("bye"))
		peer.CloseWrite()
		eventually(t, l, "OnClose after the peer's FIN", func() bool { return len(p.closes) > 0 })
		l.Exec(func() {
			if string(p.data) != "bye" || len(p.closes) != 1 || p.closes[0] != nil || !c.Closed() {
				t.Errorf("after the peer half-closed: data %q, closes %v, closed %v; want \"bye\", one nil close", p.data, p.closes, c.Closed())
			}
		})
		if _, err := peer.Read(make([]byte, 1)); err != io.EOF {
			t.Fatalf("the peer reads %v after the loop closed, want EOF", err)
		}
	})
}

func TestShutdownWriteSendsWhatWasWrittenThenEOF(t *testing.T) {
	backends(t, func(t *testing.T, l *Loop) {
		c, p, peer := accepted(t, l, nil)
		l.Exec(func() { c.Write([]byte("last words")) })
		eventually(t, l, "the write to drain", func() bool { return len(p.drains) > 0 })
		l.Exec(func() {
			if err := c.ShutdownWrite(); err != nil {
				t.Errorf("ShutdownWrite: %v", err)
			}
		})
		got, err := io.ReadAll(peer)
		if err != nil || string(got) != "last words" {
			t.Fatalf("peer read %q, %v; want the bytes then EOF", got, err)
		}
		peer.Write([]byte("still reading"))
		eventually(t, l, "reading after ShutdownWrite", func() bool { return string(p.data) == "still reading" })
		l.Exec(c.Close)
		l.Exec(func() {
			if err := c.ShutdownWrite(); err == nil {
				t.Error("ShutdownWrite on a closed connection succeeded")
			}
		})
	})
}

func TestAPausedConnectionReadsOnceResumed(t *testing.T) {
	backends(t, func(t *testing.T, l *Loop) {
		c, p, peer := accepted(t, l, nil)
		l.Exec(c.PauseRead)
		peer.Write([]byte("held"))
		l.Exec(func() {
			if !c.Paused() || len(p.data) != 0 {
				t.Errorf("paused %v, read %q while paused", c.Paused(), p.data)
			}
		})
		l.Exec(c.ResumeRead)
		eventually(t, l, "the bytes sent while paused", func() bool { return string(p.data) == "held" })
	})
}

func TestCloseRunsOnCloseOnceAndTheBufferGoesBack(t *testing.T) {
	backends(t, func(t *testing.T, l *Loop) {
		c, p, peer := accepted(t, l, nil)
		l.Exec(func() {
			c.Write([]byte("dropped unless already taken"))
			c.Close()
			c.Close()
			if len(p.closes) != 1 || p.closes[0] != nil || c.out != nil {
				t.Errorf("closes %v, output kept %v; want one nil close and no buffer", p.closes, c.out != nil)
			}
			l.poll.eachConn(func(open *Conn) {
				if open == c {
					t.Error("the loop still counts a closed connection")
				}
			})
		})
		peer.SetReadDeadline(time.Now().Add(30 * time.Second))
		if _, err := io.ReadAll(peer); err != nil {
			t.Fatalf("the peer of a closed connection: %v, want EOF", err)
		}
	})
}

func readN(t *testing.T, c net.Conn, n int) []byte {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	b := make([]byte, n)
	for got := 0; got < n; {
		k, err := c.Read(b[got:])
		if err != nil {
			t.Fatalf("read %q, then %v", b[:got], err)
		}
		got += k
	}
	return b
}
