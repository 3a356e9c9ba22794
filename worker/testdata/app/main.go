// Command app is the program the worker package's end-to-end tests build
// and drive like a user: an HTTP worker that answers every request with its
// version, pid and slot.
//
// APP_ADDR is the address to listen on, APP_COUNT the process count,
// APP_STDOUT the daemon's output file; main.version is set with
// -ldflags "-X main.version=v2" to tell builds apart.
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/worker"
)

var version = "v1"

func main() {
	w := worker.New("http://" + os.Getenv("APP_ADDR"))
	w.Name = "web"
	w.Count, _ = strconv.Atoi(os.Getenv("APP_COUNT"))
	w.OnMessage = func(c *connection.TcpConnection, _ any) {
		c.Send(fmt.Sprintf("%s pid=%d id=%d", version, os.Getpid(), w.ID))
	}
	if f := os.Getenv("APP_STDOUT"); f != "" {
		worker.StdoutFile = f
	}
	worker.StopTimeout = 2 * time.Second
	worker.RunAll()
}
