package http_test

import (
	"bufio"
	"fmt"
	"net"
	nethttp "net/http"
	"strings"
	"time"

	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/protocols/http"
	"github.com/workerman-go/workerman/worker"
)

// A text/event-stream response opens the stream; each ServerSentEvents sent
// after it is one event. Here a client reads the first two.
func ExampleServerSentEvents() {
	w := worker.New("http://127.0.0.1:0")
	w.OnMessage = func(c *connection.TcpConnection, data any) {
		c.Send(http.NewResponse(200, http.Header{"Content-Type": "text/event-stream"}, ""))
		c.Send(&http.ServerSentEvents{Event: "greeting", ID: "1", Data: "hello\nworld"})
		c.Send(&http.ServerSentEvents{ID: "2", Retry: 3 * time.Second, Data: "bye"})
	}
	g, err := worker.Start(w)
	if err != nil {
		panic(err)
	}
	defer g.Stop()

	resp, err := nethttp.Get("http://" + w.Addr().String() + "/")
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	fmt.Println(resp.Header.Get("Content-Type"))
	r := bufio.NewReader(resp.Body)
	for events := 0; events < 2; {
		line, _ := r.ReadString('\n')
		if line == "\n" {
			events++
		}
		fmt.Print(line)
	}
	// Output:
	// text/event-stream
	// event: greeting
	// id: 1
	// data: hello
	// data: world
	//
	// id: 2
	// retry: 3000
	// data: bye
	//
}

// A Response is built with chained calls and sent like any value.
func ExampleNewResponse() {
	w := worker.New("http://127.0.0.1:0")
	w.OnMessage = func(c *connection.TcpConnection, data any) {
		c.Send(http.NewResponse(201, http.Header{"Content-Type": "application/json"}, `{"id":7}`).
			WithHeader("Location", "/items/7").
			Cookie("seen", "yes please", http.CookieOptions{Path: "/", HTTPOnly: true}))
	}
	g, err := worker.Start(w)
	if err != nil {
		panic(err)
	}
	defer g.Stop()

	c, err := net.Dial("tcp", w.Addr().String())
	if err != nil {
		panic(err)
	}
	defer c.Close()
	c.Write([]byte("POST /items HTTP/1.1\r\nHost: example.com\r\nContent-Length: 0\r\n\r\n"))
	reply, _ := bufio.NewReader(c).ReadString('}') // the body's last byte
	fmt.Println(strings.ReplaceAll(reply, "\r\n", "\n"))
	// Output:
	// HTTP/1.1 201 Created
	// Content-Type: application/json
	// Location: /items/7
	// Set-Cookie: seen=yes%20please; Path=/; HttpOnly
	// Connection: keep-alive
	// Content-Length: 8
	//
	// {"id":7}
}
