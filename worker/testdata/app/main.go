// Command app is the program the worker package's end-to-end tests build
// and drive like a user: an HTTP worker that answers every request with its
// version, pid, slot and state ("v1 pid=4527 id=0 state=serving"), and a
// request that accepts text/event-stream, as the seed example does, with an
// event stream whose events carry that same answer.
//
// APP_ADDR is the address to listen on, APP_COUNT the process count,
// APP_WS the address of a WebSocket echo worker (none when unset), APP_TLS=1
// serves the HTTP worker over TLS with a self-signed certificate, and
// APP_TLS_CERT and APP_TLS_KEY with that certificate and key (read once, as
// each process starts, so that only a reload shows renewed files),
// APP_STDOUT the daemon's output file, APP_SSE_EVERY the interval of the
// events (100ms when unset), APP_MASTER_EVERY the interval of a timer of the
// master that prints "master tick N pid=..." (none when unset; a timer added
// in main prints "main timer pid=..." in every process that runs it);
// main.version is set with
// -ldflags "-X main.version=v2" to tell builds apart. The state turns from
// serving to stopping when the process starts to stop, so that a client can
// tell what it was sent after a stop began.
package main

import (
	"crypto/tls"
	"fmt"
	"log"
	"os"
	"strconv"
	"time"

	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/protocols/http"
	"github.com/workerman-go/workerman/timer"
	"github.com/workerman-go/workerman/worker"
)

var version = "v1"

func main() {
	w := worker.New("http://" + os.Getenv("APP_ADDR"))
	w.Name = "web"
	w.Count, _ = strconv.Atoi(os.Getenv("APP_COUNT"))
	w.User = os.Getenv("APP_USER")
	switch {
	case os.Getenv("APP_TLS") == "1":
		conf, err := worker.SelfSignedTLS("localhost", "127.0.0.1")
		if err != nil {
			log.Fatal(err)
		}
		w.Transport, w.TLS = "ssl", conf
	case os.Getenv("APP_TLS_CERT") != "":
		cert, err := tls.LoadX509KeyPair(os.Getenv("APP_TLS_CERT"), os.Getenv("APP_TLS_KEY"))
		if err != nil {
			log.Fatal(err)
		}
		w.Transport, w.TLS = "ssl", &tls.Config{Certificates: []tls.Certificate{cert}}
	}
	every := 100 * time.Millisecond
	if d, err := time.ParseDuration(os.Getenv("APP_SSE_EVERY")); err == nil && d > 0 {
		every = d
	}
	state := "serving" // read and written on the event loop only
	answer := func() string {
		return fmt.Sprintf("%s pid=%d id=%d state=%s", version, os.Getpid(), w.ID, state)
	}
	w.OnWorkerStop = func(*worker.Worker) { state = "stopping" }
	w.OnMessage = func(c *connection.TcpConnection, data any) {
		if data.(*http.Request).Header("Accept") != "text/event-stream" {
			c.Send(answer())
			return
		}
		c.Send(http.NewResponse(200, http.Header{"Content-Type": "text/event-stream"}, "\r\n"))
		var id timer.ID
		id = timer.Add(every, func() {
			if c.Status() != connection.StatusEstablished {
				timer.Del(id)
				return
			}
			c.Send(&http.ServerSentEvents{Event: "message", Data: answer(), ID: "1"})
		})
	}
	if path := os.Getenv("APP_UNIX"); path != "" { // a second worker, on a unix socket
		u := worker.New("text://" + path)
		u.Transport = "unix"
		u.User = w.User
		u.OnMessage = func(c *connection.TcpConnection, data any) { c.Send(answer()) }
	}
	if addr := os.Getenv("APP_WS"); addr != "" { // a WebSocket echo worker
		ws := worker.New("websocket://" + addr)
		ws.Name = "ws"
		ws.OnMessage = func(c *connection.TcpConnection, data any) { c.Send(data) }
	}
	if f := os.Getenv("APP_STDOUT"); f != "" {
		worker.StdoutFile = f
	}
	if d, err := time.ParseDuration(os.Getenv("APP_MASTER_EVERY")); err == nil {
		timer.Once(time.Millisecond, func() { fmt.Printf("main timer pid=%d\n", os.Getpid()) })
		ticks := 0 // the master's loop's alone
		worker.OnMasterStart = func() {
			timer.Add(d, func() {
				ticks++
				fmt.Printf("master tick %d pid=%d\n", ticks, os.Getpid())
			})
		}
		worker.OnMasterReload = func() { fmt.Printf("master reload after %d ticks\n", ticks) }
	}
	worker.StopTimeout = 2 * time.Second
	if d, err := time.ParseDuration(os.Getenv("APP_RELOAD_TIMEOUT")); err == nil {
		worker.ReloadTimeout = d
	}
	worker.RunAll()
}
