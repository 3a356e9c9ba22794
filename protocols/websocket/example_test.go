package websocket_test

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/protocols"
	"github.com/workerman-go/workerman/protocols/http"
	"github.com/workerman-go/workerman/protocols/websocket"
	"github.com/workerman-go/workerman/worker"
)

// An echo server, and a ws:// client that talks to it.
func Example_echo() {
	w := worker.New("websocket://127.0.0.1:0")
	w.OnMessage = func(c *connection.TcpConnection, data any) {
		c.Send(data) // a string goes back as text, a []byte as binary
	}
	g, err := worker.Start(w)
	if err != nil {
		panic(err)
	}
	defer g.Stop()

	got := make(chan any, 2)
	c, _ := connection.NewAsync("ws://" + w.Addr().String() + "/echo")
	c.OnMessage = func(c *connection.TcpConnection, data any) { got <- data }
	c.Send("hello")         // waits for the handshake
	c.Send([]byte{1, 2, 3}) // a binary message
	c.Connect()
	fmt.Printf("%q\n", <-got)
	fmt.Printf("%v\n", <-got)
	c.Destroy()
	// Output:
	// "hello"
	// [1 2 3]
}

// A server that checks a token before it accepts, names a subprotocol, and
// pings its clients so that it notices the ones that vanished. A raw client
// without the token is refused; a ws client with it gets the subprotocol, the
// welcome and a ping, which it answers with a pong the server sees.
func ExampleProtocol() {
	events := make(chan string, 16)
	w := worker.New("websocket://127.0.0.1:0")
	w.Protocol = &websocket.Protocol{
		OnWebSocketConnect: func(c protocols.Conn, req *http.Request, h *websocket.Handshake) {
			if req.Get("token") != "secret" {
				h.Reject = http.NewResponse(403, nil, "forbidden")
				return
			}
			h.Subprotocol = "chat.v1"
		},
		OnWebSocketConnected: func(c protocols.Conn, req *http.Request) {
			c.Send("welcome")
		},
		OnPong:       func(c protocols.Conn, payload []byte) { events <- "server: pong" },
		PingInterval: 50 * time.Millisecond, // 30 s or so in production
	}
	g, err := worker.Start(w)
	if err != nil {
		panic(err)
	}
	defer g.Stop()

	raw, err := net.Dial("tcp", w.Addr().String())
	if err != nil {
		panic(err)
	}
	fmt.Fprint(raw, "GET /chat HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
	status, _ := bufio.NewReader(raw).ReadString('\n')
	raw.Close()
	fmt.Printf("without the token: %s\n", strings.TrimSpace(status))

	protocols.Register("chatv1", &websocket.Client{
		Subprotocols: []string{"chat.v0", "chat.v1"},
		OnWebSocketConnect: func(c protocols.Conn, resp *http.Response) {
			events <- "client: subprotocol " + resp.Header("Sec-WebSocket-Protocol")
		},
		OnPing: func(c protocols.Conn, payload []byte) { events <- "client: ping" },
	})
	c, _ := connection.NewAsync("chatv1://" + w.Addr().String() + "/chat?token=secret")
	c.OnMessage = func(c *connection.TcpConnection, data any) { events <- fmt.Sprint("client: message ", data) }
	c.Connect()
	for range 4 {
		fmt.Println(<-events)
	}
	c.Destroy()
	// Output:
	// without the token: HTTP/1.1 403 Forbidden
	// client: subprotocol chat.v1
	// client: message welcome
	// client: ping
	// server: pong
}

// Close starts the closing handshake with a code the peer sees.
func ExampleClose() {
	w := worker.New("websocket://127.0.0.1:0")
	w.OnMessage = func(c *connection.TcpConnection, data any) {
		if data == "bye" {
			websocket.Close(c, websocket.CloseNormal, "see you")
		}
	}
	g, err := worker.Start(w)
	if err != nil {
		panic(err)
	}
	defer g.Stop()

	closed := make(chan string, 2)
	protocols.Register("byeclient", &websocket.Client{
		OnCloseFrame: func(c protocols.Conn, code int, reason string) {
			closed <- fmt.Sprintf("Close frame %d %q", code, reason)
		},
	})
	c, _ := connection.NewAsync("byeclient://" + w.Addr().String() + "/")
	c.OnClose = func(*connection.TcpConnection) { closed <- "connection closed" }
	c.Send("bye")
	c.Connect()
	fmt.Println(<-closed)
	fmt.Println(<-closed)
	// Output:
	// Close frame 1000 "see you"
	// connection closed
}

// Compression is on by default: a client that offers permessage-deflate (as
// browsers and this package's Client do) gets it, and messages from the
// threshold up travel compressed. Without context takeover, the default, an
// idle connection holds no compression state.
func ExampleCompression() {
	w := worker.New("websocket://127.0.0.1:0")
	w.Protocol = &websocket.Protocol{Compression: websocket.Compression{Threshold: 512}}
	w.OnMessage = func(c *connection.TcpConnection, data any) { c.Send(data) }
	g, err := worker.Start(w)
	if err != nil {
		panic(err)
	}
	defer g.Stop()

	answered := make(chan string, 1)
	protocols.Register("zclient", &websocket.Client{
		OnWebSocketConnect: func(c protocols.Conn, resp *http.Response) {
			answered <- resp.Header("Sec-WebSocket-Extensions")
		},
	})
	got := make(chan string, 1)
	c, _ := connection.NewAsync("zclient://" + w.Addr().String() + "/")
	c.OnMessage = func(c *connection.TcpConnection, data any) { got <- data.(string) }
	c.Send(strings.Repeat("all work and no play; ", 100))
	c.Connect()
	fmt.Println(<-answered)
	echo := <-got
	fmt.Printf("%d bytes back; under 400 bytes read, the handshake included: %v\n", len(echo), c.BytesRead() < 400)
	c.Destroy()
	// Output:
	// permessage-deflate; server_no_context_takeover; client_no_context_takeover
	// 2200 bytes back; under 400 bytes read, the handshake included: true
}
