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
// pings its clients so that it notices the ones that vanished; a client that
// offers the subprotocol, without the token and then with it.
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
		PingInterval: 50 * time.Millisecond, // 30 s or so in production
	}
	g, err := worker.Start(w)
	if err != nil {
		panic(err)
	}
	defer g.Stop()

	events := make(chan string, 8)
	protocols.Register("chatv1", &websocket.Client{
		Subprotocols: []string{"chat.v1"},
		OnWebSocketConnect: func(c protocols.Conn, resp *http.Response) {
			events <- "subprotocol " + resp.Header("Sec-WebSocket-Protocol")
		},
		OnPing: func(c protocols.Conn, payload []byte) { events <- "pinged (and the pong went back)" },
	})
	dial := func(uri string) *connection.AsyncTcpConnection {
		c, _ := connection.NewAsync("chatv1://" + w.Addr().String() + uri)
		c.OnMessage = func(c *connection.TcpConnection, data any) { events <- fmt.Sprint("message ", data) }
		c.OnClose = func(*connection.TcpConnection) { events <- "closed" }
		c.Connect()
		return c
	}

	dial("/chat") // no token: refused with 403, so the client closes
	fmt.Println(<-events)
	c := dial("/chat?token=secret")
	fmt.Println(<-events)
	fmt.Println(<-events)
	fmt.Println(<-events)
	c.Destroy()
	// Output:
	// closed
	// subprotocol chat.v1
	// message welcome
	// pinged (and the pong went back)
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
