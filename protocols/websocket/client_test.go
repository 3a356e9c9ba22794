package websocket_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/internal/nettest"
	"github.com/workerman-go/workerman/protocols"
	"github.com/workerman-go/workerman/protocols/http"
	"github.com/workerman-go/workerman/protocols/websocket"
	"github.com/workerman-go/workerman/worker"
)

func TestOwnClientAgainstOwnServer(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		uris := make(chan string, 1)
		serverPongs := make(chan string, 1)
		addr := serveWS(t, &websocket.Protocol{
			OnWebSocketConnect: func(c protocols.Conn, req *http.Request, h *websocket.Handshake) {
				uris <- req.URI() + " " + req.Header("X-Client")
				h.Subprotocol = "echo"
			},
			OnWebSocketConnected: func(c protocols.Conn, req *http.Request) { websocket.Ping(c, []byte("server ping")) },
			OnPong:               func(c protocols.Conn, payload []byte) { serverPongs <- string(payload) },
		})
		if err := protocols.Register("wstest", &websocket.Client{
			Header:       http.Header{"X-Client": "own"},
			Subprotocols: []string{"echo"},
			OnWebSocketConnect: func(c protocols.Conn, resp *http.Response) {
				c.Send("after the 101: " + resp.Header("Sec-WebSocket-Protocol"))
			},
		}); err != nil {
			t.Fatal(err)
		}

		got := make(chan any, 8)
		closed := make(chan struct{})
		c, err := connection.NewAsync("wstest://" + addr + "/echo?room=1")
		if err != nil {
			t.Fatal(err)
		}
		c.OnMessage = func(c *connection.TcpConnection, data any) { got <- data }
		c.OnClose = func(*connection.TcpConnection) { close(closed) }
		c.Send("before the connect")              // waits for the handshake
		c.Send(bytes.Repeat([]byte{0xA5}, 70000)) // a 64-bit length, masked
		c.Send(map[string]int{"json": 1})         // any other value as JSON text
		c.Connect()
		t.Cleanup(func() { c.Destroy(); <-closed })

		if u := <-uris; u != "/echo?room=1 own" {
			t.Fatalf("server saw %q", u)
		}
		for _, want := range []any{"before the connect", bytes.Repeat([]byte{0xA5}, 70000), `{"json":1}`, "after the 101: echo"} {
			msg := <-got
			if b, ok := want.([]byte); ok {
				if mb, ok := msg.([]byte); !ok || !bytes.Equal(mb, b) {
					t.Fatalf("got %T of %d bytes, want the %d binary bytes back", msg, len(mb), len(b))
				}
				continue
			}
			if msg != want {
				t.Fatalf("got %#v, want %#v", msg, want)
			}
		}
		if p := <-serverPongs; p != "server ping" {
			t.Fatalf("the client answered the server's ping with %q", p)
		}
	})
}

func TestClientRefusesABadAccept(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		w := worker.New("tcp://127.0.0.1:0")
		w.OnMessage = func(c *connection.TcpConnection, data any) {
			if strings.Contains(string(data.([]byte)), "\r\n\r\n") {
				c.Send("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + sampleAccept + "\r\n\r\n")
			}
		}
		addr := nettest.Serve(t, w)
		messages := make(chan any, 1)
		closed := make(chan struct{})
		c, err := connection.NewAsync("ws://" + addr + "/")
		if err != nil {
			t.Fatal(err)
		}
		c.OnMessage = func(c *connection.TcpConnection, data any) { messages <- data }
		c.OnClose = func(*connection.TcpConnection) { close(closed) }
		c.Connect()
		<-closed
		if len(messages) > 0 {
			t.Fatalf("a connection with a wrong accept key delivered %v", <-messages)
		}
	})
}
