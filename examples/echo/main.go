// Command echo is a text-protocol echo server: every line a client sends
// comes back prefixed with "echo: ".
//
//	go run ./examples/echo start
//	curl -N telnet://127.0.0.1:5678   # type lines; Ctrl+C leaves
package main

import (
	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/worker"
)

func main() {
	w := worker.New("text://127.0.0.1:5678")
	w.Name = "echo"
	w.OnMessage = func(c *connection.TcpConnection, data any) {
		c.Send("echo: " + data.(string))
	}
	worker.RunAll()
}
