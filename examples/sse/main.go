// Command sse is the manual's Server-Sent Events example: a browser (or curl)
// that asks for text/event-stream gets an event every two seconds; anything
// else gets "ok".
//
//	go run ./examples/sse
//	curl -N -H 'Accept: text/event-stream' http://127.0.0.1:8080/
//
// index.html beside this file is a page whose EventSource logs each message;
// docs/sse.md says how to open it.
package main

import (
	"time"

	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/protocols/http"
	"github.com/workerman-go/workerman/timer"
	"github.com/workerman-go/workerman/worker"
)

func main() {
	w := worker.New("http://0.0.0.0:8080")
	w.OnMessage = func(c *connection.TcpConnection, data any) {
		req := data.(*http.Request)
		if req.Header("accept") == "text/event-stream" {
			c.Send(http.NewResponse(200, http.Header{"Content-Type": "text/event-stream"}, "\r\n"))
			var id timer.ID
			id = timer.Add(2*time.Second, func() {
				if c.Status() != connection.StatusEstablished {
					timer.Del(id)
					return
				}
				c.Send(&http.ServerSentEvents{Event: "message", Data: "hello", ID: "1"})
			})
			return
		}
		c.Send("ok")
	}
	worker.RunAll() // ./app start [-d] | stop [-g] | restart | reload [-g] | status [-d] | connections
}
