package websocket_test

import (
	"fmt"
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
// pings its clients so that it notices the ones that vanished.
func ExampleProtocol() {
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
		PingInterval: 30 * time.Second,
	}
	fmt.Println(w.Protocol.(*websocket.Protocol).Name())
	// Output: Websocket
}

// Close starts the closing handshake with a code the peer sees.
func ExampleClose() {
	w := worker.New("websocket://127.0.0.1:0")
	w.OnMessage = func(c *connection.TcpConnection, data any) {
		if data == "bye" {
			websocket.Close(c, websocket.CloseNormal, "see you")
		}
	}
	_ = w
}
