package eventloop

import (
	"errors"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func TestDialHandsTheConnectionToTheLoop(t *testing.T) {
	backends(t, func(t *testing.T, l *Loop) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		accepted := make(chan net.Conn, 1)
		go func() {
			c, err := ln.Accept()
			if err == nil {
				accepted <- c
			}
		}()
		got := make(chan string, 1)
		h := &recorder{data: got}
		l.Dial("tcp", ln.Addr().String(), 5*time.Second, func(c *Conn, err error) {
			if err != nil {
				t.Errorf("dial: %v", err)
				close(got)
				return
			}
			if !l.InLoop() {
				t.Error("Dial's callback ran off the loop")
			}
			c.SetHandler(h)
			c.Write([]byte("ping"))
		})
		peer := <-accepted
		defer peer.Close()
		buf := make([]byte, 4)
		peer.SetDeadline(time.Now().Add(30 * time.Second))
		if _, err := peer.Read(buf); err != nil || string(buf) != "ping" {
			t.Fatalf("peer read %q, %v", buf, err)
		}
		peer.Write([]byte("pong"))
		if s := <-got; s != "pong" {
			t.Fatalf("loop read %q", s)
		}
	})
}

func TestDialReportsARefusedConnection(t *testing.T) {
	backends(t, func(t *testing.T, l *Loop) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		done := make(chan error, 1)
		l.Dial("tcp", addr, 5*time.Second, func(c *Conn, err error) { done <- err })
		if err := <-done; err == nil {
			t.Fatal("dialling a closed port succeeded")
		}
	})
}

// recorder is a Handler that reports the first bytes it reads.
type recorder struct {
	data chan string
	once sync.Once
}

func (r *recorder) OnData(_ *Conn, b []byte) {
	s := string(b)
	r.once.Do(func() { r.data <- s })
}
func (r *recorder) OnDrain(*Conn, bool)  {}
func (r *recorder) OnClose(*Conn, error) {}

func TestDialOnALoopThatIsNotRunningFails(t *testing.T) {
	l := newLoop(DefaultBackend())
	for _, when := range []string{"never started", "released"} {
		if when == "released" {
			if err := l.Acquire(); err != nil {
				t.Fatal(err)
			}
			l.Release()
		}
		var got error
		called := false
		l.Dial("tcp", "127.0.0.1:1", time.Second, func(c *Conn, err error) { got, called = err, true })
		if !called || !errors.Is(got, ErrStopped) {
			t.Fatalf("Dial on a loop %s: called %v with %v, want ErrStopped at once", when, called, got)
		}
	}
}

func TestDialReachesAUnixSocket(t *testing.T) {
	backends(t, func(t *testing.T, l *Loop) {
		path := filepath.Join(t.TempDir(), "s")
		ln, err := net.Listen("unix", path)
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		done := make(chan net.Addr, 1)
		l.Dial("unix", path, 5*time.Second, func(c *Conn, err error) {
			if err != nil {
				t.Errorf("dial %s: %v", path, err)
				done <- nil
				return
			}
			c.SetHandler(&recorder{data: make(chan string, 1)})
			done <- c.RemoteAddr()
		})
		peer, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		defer peer.Close()
		if a := <-done; a == nil || a.String() != path {
			t.Fatalf("remote address of the dialled unix socket: %v, want %s", a, path)
		}
	})
}
