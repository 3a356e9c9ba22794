// Command notify pushes notifications to users over Server-Sent Events,
// from any of its four processes to any other: a browser (or curl) holds
// GET /events?uid=alice open, and POST /notify?uid=alice delivers the
// request's body as an event to every stream of alice, whichever process
// holds it.
//
//	cd cluster && go run ./examples/notify start
//	curl -N http://127.0.0.1:8082/events?uid=alice
//	curl -d 'hello alice' 'http://127.0.0.1:8082/notify?uid=alice'
//
// NOTIFY_LISTEN=127.0.0.1:9082 listens there instead.
package main

import (
	"os"

	"github.com/workerman-go/workerman/cluster"
	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/protocols/http"
	"github.com/workerman-go/workerman/worker"
)

func main() {
	listen := os.Getenv("NOTIFY_LISTEN")
	if listen == "" {
		listen = "0.0.0.0:8082"
	}
	w := worker.New("http://" + listen)
	w.Name = "notify"
	w.Count = 4
	w.OnMessage = func(c *connection.TcpConnection, data any) {
		req := data.(*http.Request)
		uid := req.Get("uid")
		switch req.Path() {
		case "/events":
			if err := cluster.BindUid(c, uid); err != nil {
				c.Send(http.NewResponse(400, nil, err.Error()+"\n"))
				return
			}
			c.Send(http.NewResponse(200, http.Header{"Content-Type": "text/event-stream"}, ""))
			c.Send(&http.ServerSentEvents{Event: "ready", Data: uid})
		case "/notify":
			if req.Method() != "POST" {
				c.Send(http.NewResponse(405, http.Header{"Allow": "POST"}, "POST a body to notify\n"))
				return
			}
			if err := cluster.SendToUid(uid, &http.ServerSentEvents{Event: "notice", Data: req.RawBody()}); err != nil {
				c.Send(http.NewResponse(400, nil, err.Error()+"\n"))
				return
			}
			c.Send(http.NewResponse(202, nil, "sent\n"))
		default:
			c.Send(http.NewResponse(404, nil, "GET /events?uid=NAME or POST /notify?uid=NAME\n"))
		}
	}
	worker.RunAll()
}
