// Command reliability is the server that bench/reliability.sh attacks: HTTP
// on the defaults, answering each request with its path, and /big with
// 20 MiB. It uses only what every revision of the worker and HTTP packages
// has, so that the script can build it from an older revision too and
// measure both in one run:
//
//	WM_ADDR=127.0.0.1:8080 WM_IDLE_TIMEOUT=3s reliability start
//
// WM_IDLE_TIMEOUT sets the protocol's IdleTimeout (its default when unset).
package main

import (
	"strings"

	"github.com/workerman-go/workerman/bench/internal/benchenv"
	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/protocols/http"
	"github.com/workerman-go/workerman/worker"
)

func main() {
	var big string // made on first use, so that the master process never holds it
	w := benchenv.Worker("reliability")
	w.Protocol = &http.Protocol{IdleTimeout: benchenv.Duration("WM_IDLE_TIMEOUT", 0)}
	w.OnMessage = func(c *connection.TcpConnection, data any) {
		path := data.(*http.Request).Path()
		if path == "/big" {
			if big == "" {
				big = strings.Repeat("x", 20<<20)
			}
			c.Send(big)
			return
		}
		c.Send(path)
	}
	worker.RunAll()
}
