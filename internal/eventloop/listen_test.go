package eventloop

import (
	"errors"
	"net"
	"os"
	"strconv"
	"testing"
	"time"
)

func TestAPausedListenerAcceptsOnceResumed(t *testing.T) {
	backends(t, func(t *testing.T, l *Loop) {
		got := 0
		ln, addr := listenOn(t, l, true, nil, func(c *Conn) {
			got++
			c.SetHandler(&probe{})
		})
		if ln.Addr().String() != addr {
			t.Fatalf("listener address %v, bound to %s", ln.Addr(), addr)
		}
		peer, err := net.Dial("tcp", addr) // completes in the kernel's backlog
		if err != nil {
			t.Fatal(err)
		}
		defer peer.Close()
		l.Exec(func() {
			if got != 0 {
				t.Errorf("a listener made paused accepted %d connections", got)
			}
			ln.Resume()
		})
		eventually(t, l, "the connection waiting in the backlog", func() bool { return got == 1 })
		l.Exec(ln.Pause)
		again, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer again.Close()
		l.Exec(func() {
			if got != 1 {
				t.Errorf("a paused listener accepted: %d connections", got)
			}
			ln.Resume()
		})
		eventually(t, l, "the second connection after Resume", func() bool { return got == 2 })
	})
}

func TestAClosedListenerAcceptsNoMore(t *testing.T) {
	backends(t, func(t *testing.T, l *Loop) {
		ln, addr := listenOn(t, l, false, nil, func(c *Conn) { c.SetHandler(&probe{}) })
		l.Exec(func() {
			ln.Close()
			ln.Close()
			if _, ok := l.lns[ln]; ok {
				t.Error("the loop still holds a closed listener")
			}
		})
		// The test's own copy of the socket is closed too: nothing listens.
		eventuallyRefused(t, addr)
	})
}

// eventuallyRefused waits until a connect to addr is refused (the
// portable backend's accept goroutine lets go of its socket as it ends).
func eventuallyRefused(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatalf("%s still accepts after Close", addr)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestListenOnALoopThatIsNotRunningFails(t *testing.T) {
	l := newLoop(DefaultBackend())
	if _, err := l.Listen(os.Stdin, false, func(*Conn) {}); !errors.Is(err, ErrStopped) {
		t.Fatalf("Listen on a loop never started: %v, want ErrStopped", err)
	}
}

func TestRepeatedAcceptErrorsAreLoggedOncePerInterval(t *testing.T) {
	r := logLimiter{every: 5 * time.Second}
	t0 := time.Unix(1000, 0)
	steps := []struct {
		after      time.Duration
		ok         bool
		suppressed int
	}{
		{0, true, 0},                       // the first failure is logged
		{100 * time.Millisecond, false, 0}, // retries within the interval are counted
		{200 * time.Millisecond, false, 0},
		{4900 * time.Millisecond, false, 0},
		{5 * time.Second, true, 3}, // the next line says how many it stands for
		{6 * time.Second, false, 0},
		{time.Minute, true, 1},
	}
	for i, s := range steps {
		ok, n := r.allow(t0.Add(s.after))
		if ok != s.ok || n != s.suppressed {
			t.Fatalf("step %d (+%v): allow = %v, %d; want %v, %d", i, s.after, ok, n, s.ok, s.suppressed)
		}
	}
}

// TestAcceptedAddresses checks both ends of connections accepted on an
// unspecified address, where the loop asks the kernel for each local one,
// against what the client sees.
func TestAcceptedAddresses(t *testing.T) {
	backends(t, func(t *testing.T, l *Loop) {
		nl, err := net.Listen("tcp", "0.0.0.0:0")
		if err != nil {
			t.Fatal(err)
		}
		f, err := nl.(*net.TCPListener).File()
		nl.Close()
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		conns := make(chan *Conn, 2)
		var ln *Listener
		l.Exec(func() {
			ln, err = l.Listen(f, false, func(c *Conn) {
				c.SetHandler(&probe{})
				conns <- c
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Exec(ln.Close) })
		port := ln.Addr().(*net.TCPAddr).Port
		for range 2 {
			peer, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
			if err != nil {
				t.Fatal(err)
			}
			defer peer.Close()
			var c *Conn
			select {
			case c = <-conns:
			case <-time.After(30 * time.Second):
				t.Fatal("gave up waiting for the accept")
			}
			remote, local := c.RemoteAddr(), c.LocalAddr()
			if remote.String() != peer.LocalAddr().String() || local.String() != peer.RemoteAddr().String() {
				t.Errorf("accepted %v -> %v; the client has %v -> %v", remote, local, peer.LocalAddr(), peer.RemoteAddr())
			}
		}
	})
}
