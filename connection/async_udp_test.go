package connection_test

import (
	"net"
	"testing"
	"time"

	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/internal/nettest"
	"github.com/workerman-go/workerman/worker"
)

// askUntil sends until got yields a value: datagrams may be lost in principle.
func askUntil[T any](t *testing.T, send func(), got <-chan T) T {
	t.Helper()
	for try := 0; ; try++ {
		send()
		select {
		case v := <-got:
			return v
		case <-time.After(500 * time.Millisecond):
		}
		if try == 20 {
			t.Fatal("no answer")
		}
	}
}

func TestAsyncUdp(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		t.Run("answers are cut into packages by the protocol, per datagram", func(t *testing.T) {
			w := worker.New("text://127.0.0.1:0")
			w.Transport = "udp"
			w.OnUdpMessage = func(c *connection.UdpConnection, data any) {
				c.Send("got " + data.(string) + "\nand more") // two lines, one datagram
			}
			serve(t, w)
			c, err := connection.NewAsyncUdp("text://" + w.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			got := make(chan []string, 100)
			var lines []string
			c.OnMessage = func(c *connection.AsyncUdpConnection, data any) {
				if lines = append(lines, data.(string)); len(lines) == 2 {
					got <- lines
					lines = nil
				}
			}
			closed := make(chan connection.Status, 2)
			c.OnClose = func(c *connection.AsyncUdpConnection) { closed <- c.Status() }
			pair := askUntil(t, func() { c.Send("hello") }, got)
			if pair[0] != "got hello" || pair[1] != "and more" {
				t.Fatalf("got %q", pair)
			}
			if c.Status() != connection.StatusEstablished || c.Protocol() == nil {
				t.Fatalf("status %v, protocol %v", c.Status(), c.Protocol())
			}
			c.Close()
			c.Close()
			if st := <-closed; st != connection.StatusClosed {
				t.Fatalf("status in OnClose %v", st)
			}
			if err := c.Send("late"); err != connection.ErrClosed {
				t.Fatalf("send after Close: %v", err)
			}
			if err := c.Connect(); err != connection.ErrClosed {
				t.Fatalf("connect after Close: %v", err)
			}
			select {
			case <-closed:
				t.Fatal("OnClose ran twice")
			default:
			}
		})
		t.Run("raw udp hears only its peer", func(t *testing.T) {
			// A worker keeps the loop running; the peer is a plain socket.
			serve(t, echoWorker("tcp://127.0.0.1:0"))
			peer, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
			if err != nil {
				t.Fatal(err)
			}
			defer peer.Close()
			intruder, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
			if err != nil {
				t.Fatal(err)
			}
			defer intruder.Close()
			c, err := connection.NewAsyncUdp("udp://" + peer.LocalAddr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			got := make(chan string, 10)
			c.OnMessage = func(_ *connection.AsyncUdpConnection, data any) { got <- string(data.([]byte)) }
			if err := c.Connect(); err != nil {
				t.Fatal(err)
			}
			c.Send([]byte("ping"))
			buf := make([]byte, 100)
			peer.SetReadDeadline(time.Now().Add(nettest.Timeout))
			n, from, err := peer.ReadFrom(buf)
			if err != nil || string(buf[:n]) != "ping" {
				t.Fatalf("peer read %q, %v", buf[:n], err)
			}
			intruder.WriteTo([]byte("intruder"), from)
			peer.WriteTo([]byte("pong"), from)
			if s := <-got; s != "pong" {
				t.Fatalf("got %q first, want pong", s)
			}
		})
		t.Run("bad addresses are refused at once", func(t *testing.T) {
			for _, remote := range []string{"127.0.0.1:9", "nosuch://127.0.0.1:9", "udp://127.0.0.1"} {
				if _, err := connection.NewAsyncUdp(remote); err == nil {
					t.Errorf("%q accepted", remote)
				}
			}
		})
	})
}
