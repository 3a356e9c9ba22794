package connection_test

import (
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/internal/nettest"
	"github.com/workerman-go/workerman/worker"
)

func TestAsyncConnection(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		t.Run("sends made before connecting go out first and replies arrive", func(t *testing.T) {
			w := echoWorker("text://127.0.0.1:0")
			serve(t, w)
			c, err := connection.NewAsync("text://" + w.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			got := make(chan string, 3)
			c.OnConnect = func(c *connection.AsyncTcpConnection) {
				if c.Status() != connection.StatusEstablished {
					t.Errorf("status in OnConnect = %v", c.Status())
				}
				c.Send("second")
			}
			c.OnMessage = func(_ *connection.TcpConnection, data any) { got <- data.(string) }
			if err := c.Send("first"); err != nil {
				t.Fatal(err)
			}
			c.Connect()
			if a, b := <-got, <-got; a != "first" || b != "second" {
				t.Fatalf("got %q then %q", a, b)
			}
			c.Close()
		})
		t.Run("a refused connect reports ConnectFail then OnClose, and Reconnect tries again", func(t *testing.T) {
			// A port nothing listens on: bind one, note it, close it.
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			addr := ln.Addr().String()
			ln.Close()
			w := echoWorker("text://127.0.0.1:0")
			serve(t, w)
			c, err := connection.NewAsync("text://" + addr)
			if err != nil {
				t.Fatal(err)
			}
			var mu sync.Mutex
			var events []string
			closed := make(chan struct{}, 2)
			c.OnError = func(_ *connection.TcpConnection, code int, msg string) {
				mu.Lock()
				defer mu.Unlock()
				if code == connection.ConnectFail && strings.HasPrefix(msg, "connect "+addr+" fail after ") {
					events = append(events, "error")
				} else {
					events = append(events, "unexpected: "+msg)
				}
			}
			c.OnClose = func(*connection.TcpConnection) {
				mu.Lock()
				events = append(events, "close")
				mu.Unlock()
				closed <- struct{}{}
			}
			c.Connect()
			<-closed
			c.Reconnect(0)
			<-closed
			mu.Lock()
			defer mu.Unlock()
			if strings.Join(events, ",") != "error,close,error,close" {
				t.Fatalf("events %q", events)
			}
		})
		t.Run("bad remote addresses are refused", func(t *testing.T) {
			for _, bad := range []string{"127.0.0.1:80", "nope://127.0.0.1:1", "tcp://no-port"} {
				if _, err := connection.NewAsync(bad); err == nil {
					t.Errorf("NewAsync(%q) succeeded", bad)
				}
			}
		})
	})
}

func TestEachListsAcceptedAndDialledConnections(t *testing.T) {
	w := echoWorker("text://127.0.0.1:0")
	serve(t, w)
	c, err := connection.NewAsync("text://" + w.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	connected := make(chan struct{})
	c.OnConnect = func(*connection.AsyncTcpConnection) { close(connected) }
	c.Connect()
	<-connected
	var dialled, accepted int
	nettest.Eventually(t, "both ends of the connection listed", func() bool {
		done := make(chan struct{})
		worker.Post(func() {
			dialled, accepted = 0, 0
			connection.Each(func(x *connection.TcpConnection) bool {
				if x == &c.TcpConnection {
					dialled++
				} else if x.WorkerName() == w.DisplayName() {
					accepted++
				}
				return true
			})
			close(done)
		})
		<-done
		return dialled == 1 && accepted == 1
	})
	c.Close()
}

func TestRemoteHostNamesTheRemoteEndOnBothSides(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		w := echoWorker("text://127.0.0.1:0")
		accepted := make(chan [3]string, 1)
		w.OnConnect = func(c *connection.TcpConnection) {
			hostport, uri := c.DialTarget()
			accepted <- [3]string{c.RemoteHost(), hostport, uri}
		}
		serve(t, w)
		c, err := connection.NewAsync("text://" + w.Addr().String() + "/room?x=1")
		if err != nil {
			t.Fatal(err)
		}
		if h := c.RemoteHost(); h != "127.0.0.1" {
			t.Errorf("client's RemoteHost before connecting = %q", h)
		}
		connected := make(chan [4]string, 1)
		c.OnConnect = func(c *connection.AsyncTcpConnection) {
			hostport, uri := c.DialTarget()
			connected <- [4]string{c.RemoteHost(), hostport, uri, c.RemoteURI()}
		}
		c.Connect()
		want := [4]string{"127.0.0.1", w.Addr().String(), "/room?x=1", "/room?x=1"}
		if got := <-connected; got != want {
			t.Errorf("client: RemoteHost, DialTarget, RemoteURI = %q, want %q", got, want)
		}
		if got := <-accepted; got != [3]string{"127.0.0.1", "", ""} {
			t.Errorf("accepted: RemoteHost, DialTarget = %q, want the peer's IP and no dial target", got)
		}
		c.Close()
	})
	t.Run("a name stays a name, a socket has no host", func(t *testing.T) {
		for remote, want := range map[string]string{"tcp://localhost:1": "localhost", "tcp://[::1]:1": "::1", "unix:///tmp/a:1.sock": ""} {
			c, err := connection.NewAsync(remote)
			if err != nil {
				t.Fatal(err)
			}
			if h := c.RemoteHost(); h != want {
				t.Errorf("NewAsync(%q).RemoteHost() = %q, want %q", remote, h, want)
			}
		}
	})
}
