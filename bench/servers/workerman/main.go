// Command workerman is Workerman-Go's entry in the benchmark: the seed
// program (the manual's Server-Sent Events example), answering "ok" to plain
// requests and, to a request that accepts text/event-stream, a stream with
// one event every two seconds per connection. It runs as any Workerman-Go
// program does:
//
//	WM_ADDR=127.0.0.1:8080 WM_COUNT=2 workerman start
//
// The environment sets what the benchmark script varies:
//   - WM_ADDR: listen address (127.0.0.1:8080).
//   - WM_COUNT: worker processes (1).
//   - TLS_CERT, TLS_KEY: certificate and key files: serve https (the ssl
//     transport).
//   - WM_STAMP=1: events carry "ts=<Unix nanoseconds>" as data instead of
//     "hello", so that wmload reports send-to-receipt latency.
//   - WM_STAMP=due: the stamp is the time the event was due (the timer's
//     start plus two seconds for each event), so that wmload -every 2s
//     counts late and missed events.
//   - WM_HEAPPROFILE=FILE: each worker process writes a heap profile to
//     FILE.<pid> WM_HEAPPROFILE_AT (10s) after it starts, sampling every
//     allocation, for `go tool pprof -sample_index=inuse_space`.
//   - WM_CPUPROFILE=FILE: each worker process writes a CPU profile of its
//     first WM_CPUPROFILE_FOR (10s) to FILE.<pid>.
//   - WM_MEMLOG=FILE: each worker process writes the runtime's memory
//     classes and its resident memory to FILE.<pid> when it starts and every
//     WM_MEMLOG_EVERY (1s), with their growth per connection (memLog).
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"time"

	"github.com/workerman-go/workerman/bench/internal/benchenv"
	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/protocols/http"
	"github.com/workerman-go/workerman/timer"
	"github.com/workerman-go/workerman/worker"
)

func main() {
	stamp := os.Getenv("WM_STAMP")

	heapProfile := os.Getenv("WM_HEAPPROFILE")
	if heapProfile != "" {
		runtime.MemProfileRate = 1
	}

	w := benchenv.Worker("bench")
	w.OnWorkerStart = func(*worker.Worker) {
		benchenv.Profile()
		memLog(w)
		if heapProfile != "" {
			timer.Once(benchenv.Duration("WM_HEAPPROFILE_AT", 10*time.Second), func() {
				writeHeapProfile(fmt.Sprintf("%s.%d", heapProfile, os.Getpid()))
			})
		}
	}
	w.OnMessage = func(c *connection.TcpConnection, data any) {
		req := data.(*http.Request)
		if req.Header("accept") == "text/event-stream" {
			c.Send(http.NewResponse(200, http.Header{"Content-Type": "text/event-stream"}, "\r\n"))
			var id timer.ID
			due := time.Now().UnixNano()
			id = timer.Add(2*time.Second, func() {
				if c.Status() != connection.StatusEstablished {
					timer.Del(id)
					return
				}
				ev := &http.ServerSentEvents{Event: "message", Data: "hello", ID: "1"}
				due += int64(2 * time.Second)
				switch stamp {
				case "1":
					ev.Data = "ts=" + strconv.FormatInt(time.Now().UnixNano(), 10)
				case "due":
					ev.Data = "ts=" + strconv.FormatInt(due, 10)
				}
				c.Send(ev)
			})
			return
		}
		c.Send("ok")
	}
	worker.RunAll()
}

// writeHeapProfile writes what the heap holds now (after a collection) to path.
func writeHeapProfile(path string) {
	f, err := os.Create(path)
	if err != nil {
		panic(err)
	}
	defer f.Close()
	runtime.GC()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		panic(err)
	}
}
