package websocket_test

import (
	"testing"
	"time"

	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/internal/eventloop"
	"github.com/workerman-go/workerman/internal/nettest"
	"github.com/workerman-go/workerman/protocols"
	"github.com/workerman-go/workerman/protocols/http"
	"github.com/workerman-go/workerman/protocols/websocket"
)

// offer sends v unless ch is full: the keep-alive goes on pinging, and the
// loop must never block on a test's channel.
func offer(ch chan string, v string) {
	select {
	case ch <- v:
	default:
	}
}

func TestClientOptionsPerConnection(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		seen := make(chan string, 4)
		pinged := make(chan string, 16)
		addr := serveWS(t, &websocket.Protocol{
			OnWebSocketConnect: func(c protocols.Conn, req *http.Request, h *websocket.Handshake) {
				seen <- req.Header("Origin") + " " + req.Header("X-Who") + " " + req.Header("Sec-WebSocket-Protocol")
				h.Subprotocol = req.Header("Sec-WebSocket-Protocol")
			},
			OnPing: func(c protocols.Conn, payload []byte) { offer(pinged, string(payload)) },
		})
		pongs := make(chan string, 16)
		dial := func(cl *websocket.Client) *connection.AsyncTcpConnection {
			c, err := connection.NewAsync("ws://" + addr + "/")
			if err != nil {
				t.Fatal(err)
			}
			if err := c.SetProtocol(cl); err != nil {
				t.Fatal(err)
			}
			closed := make(chan struct{})
			c.OnClose = func(*connection.TcpConnection) { close(closed) }
			t.Cleanup(func() { c.Destroy(); <-closed })
			return c
		}
		a := dial(&websocket.Client{
			Origin:       "https://a.example",
			Subprotocols: []string{"a.v1"},
			Header:       http.Header{"X-Who": "a"},
			OnPong:       func(c protocols.Conn, payload []byte) { offer(pongs, "a "+string(payload)) },
		})
		b := dial(&websocket.Client{
			Origin:       "https://b.example",
			Subprotocols: []string{"b.v1"},
			Header:       http.Header{"X-Who": "b"},
			PingInterval: 20 * time.Millisecond,
		})
		var pingErr error
		eventloop.Default().Exec(func() {
			pingErr = websocket.Ping(a, []byte("early")) // before the connect: queued
			a.Connect()
		})
		if pingErr != nil {
			t.Fatalf("Ping before the handshake: %v", pingErr)
		}
		if s := <-seen; s != "https://a.example a a.v1" {
			t.Fatalf("server saw %q", s)
		}
		if p := <-pinged; p != "early" {
			t.Fatalf("server got ping %q", p)
		}
		if p := <-pongs; p != "a early" {
			t.Fatalf("client got pong %q", p)
		}
		b.Connect()
		if s := <-seen; s != "https://b.example b b.v1" {
			t.Fatalf("server saw %q", s)
		}
		if p := <-pinged; p != "" {
			t.Fatalf("keep-alive ping carried %q", p)
		}
		eventloop.Default().Exec(func() {
			if err := b.SetProtocol(&websocket.Client{}); err == nil {
				t.Error("SetProtocol on an established connection succeeded")
			}
		})
	})
}
