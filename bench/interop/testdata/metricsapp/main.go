// Command metricsapp is the program the metrics tests scrape: a master with
// two HTTP children (or, with start -s, one process), its metrics on
// WM_METRICS. APP_ADDR is the HTTP address, APP_PID the pid file. /missing
// answers 404, anything else 200.
package main

import (
	"os"

	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/protocols/http"
	"github.com/workerman-go/workerman/worker"
)

func main() {
	w := worker.New("http://" + os.Getenv("APP_ADDR"))
	w.Name = "web"
	w.Count = 2
	w.OnMessage = func(c *connection.TcpConnection, data any) {
		if data.(*http.Request).Path() == "/missing" {
			c.Send(http.NewResponse(404, nil, "no"))
			return
		}
		c.Send("ok")
	}
	worker.PidFile = os.Getenv("APP_PID")
	worker.RunAll()
}
