// Command broadcast is the broadcast benchmark's server: every process holds
// the Server-Sent Events streams it accepted and, once a second, sends one
// event to all of them from a single timer, so that wmload can time the
// fan-out from the send to the last client's receipt. Plain requests get
// "ok". It runs as any Workerman-Go program does:
//
//	WM_ADDR=127.0.0.1:8080 WM_COUNT=2 broadcast start
//
// The environment sets what the benchmark script varies:
//   - WM_ADDR: listen address (127.0.0.1:8080).
//   - WM_COUNT: worker processes (1).
//   - WM_START_AFTER: how long after its start a process waits before its
//     first second of broadcasts begins (0s), so that the memory of idle
//     streams can be read first.
//   - WM_SPREAD=1: the processes' timers are spread over the second
//     (process k of n starts k/n s later) instead of firing together.
//   - WM_TRACE=1: each broadcast prints how long the process took to send
//     it (every batch but the last is written by then).
//   - WM_CPUPROFILE=FILE: each worker process writes a CPU profile of its
//     first WM_CPUPROFILE_FOR (10s) to FILE.<pid>, for `go tool pprof`.
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/workerman-go/workerman/bench/internal/benchenv"
	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/protocols/http"
	"github.com/workerman-go/workerman/timer"
	"github.com/workerman-go/workerman/worker"
)

func main() {
	startAfter := benchenv.Duration("WM_START_AFTER", 0)
	trace := os.Getenv("WM_TRACE") == "1"
	spread := os.Getenv("WM_SPREAD") == "1"

	// The streams of this process, in the order they came, and where each
	// is in the list; only the loop touches them.
	var streams []*connection.TcpConnection
	at := map[*connection.TcpConnection]int{}
	w := benchenv.Worker("broadcast")
	w.OnWorkerStart = func(w *worker.Worker) {
		benchenv.Profile()
		broadcast := func() {
			// One stamp per broadcast: wmload groups receipts by it.
			start := time.Now()
			ev := &http.ServerSentEvents{Data: "ts=" + strconv.FormatInt(start.UnixNano(), 10)}
			for _, c := range streams {
				c.Send(ev)
			}
			if trace {
				// All but the last batch is written by now.
				fmt.Printf("broadcast pid=%d streams=%d sent_in=%s\n", os.Getpid(), len(streams), time.Since(start))
			}
		}
		first := startAfter
		if spread {
			first += time.Duration(w.ID) * time.Second / time.Duration(w.Count)
		}
		timer.Once(first, func() { timer.Add(time.Second, broadcast) })
	}
	w.OnMessage = func(c *connection.TcpConnection, data any) {
		req := data.(*http.Request)
		if req.Header("accept") == "text/event-stream" {
			c.Send(http.NewResponse(200, http.Header{"Content-Type": "text/event-stream"}, "\r\n"))
			at[c] = len(streams)
			streams = append(streams, c)
			return
		}
		c.Send("ok")
	}
	w.OnClose = func(c *connection.TcpConnection) {
		i, ok := at[c]
		if !ok {
			return
		}
		last := streams[len(streams)-1]
		streams[i], at[last] = last, i
		streams = streams[:len(streams)-1]
		delete(at, c)
	}
	worker.RunAll()
}
