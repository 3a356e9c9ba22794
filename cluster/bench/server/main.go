// Command server is the cluster benchmark's program: event streams that a
// broadcast or a stream of per-uid sends reaches, locally or through the
// cluster, stamped so that wmload reports how late each event arrives.
//
//	WM_ADDR=127.0.0.1:18490 WM_COUNT=2 WM_MODE=group server start
//
// The environment sets what the benchmark varies:
//   - WM_MODE=local: each process broadcasts to its own streams from a timer
//     (no cluster: the reference);
//     group: every stream joins one group and one process broadcasts to it
//     with SendToGroup;
//     uid: every stream is bound to a uid of its own ("u1", "u2" ... in
//     connection order per process) and a pusher process of its own sends
//     to them with SendToUid: every delivery crosses processes.
//   - WM_COUNT: processes holding streams (1).
//   - WM_EVERY: the broadcast interval (500ms).
//   - WM_RATE: uid mode: SendToUid calls per second, spread over WM_UIDS
//     uids; 0: no pusher, the streams stay idle.
package main

import (
	"os"
	"strconv"
	"time"

	"github.com/workerman-go/workerman/cluster"
	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/protocols/http"
	"github.com/workerman-go/workerman/timer"
	"github.com/workerman-go/workerman/worker"
)

func main() {
	mode := env("WM_MODE", "local")
	count, _ := strconv.Atoi(env("WM_COUNT", "1"))
	every, err := time.ParseDuration(env("WM_EVERY", "500ms"))
	if err != nil {
		panic(err)
	}
	w := worker.New("http://" + env("WM_ADDR", "127.0.0.1:18490"))
	w.Name = "streams"
	w.Count = count
	streams := map[*connection.TcpConnection]bool{}
	next := 0
	w.OnMessage = func(c *connection.TcpConnection, data any) {
		c.Send(http.NewResponse(200, http.Header{"Content-Type": "text/event-stream"}, ""))
		switch mode {
		case "local":
			streams[c] = true
		case "group":
			cluster.JoinGroup(c, "all")
		case "uid":
			next++
			cluster.BindUid(c, "u"+strconv.Itoa(next))
		}
	}
	w.OnClose = func(c *connection.TcpConnection) { delete(streams, c) }
	w.OnWorkerStart = func(w *worker.Worker) {
		switch {
		case mode == "local":
			timer.Add(every, func() {
				ev := stamped()
				for c := range streams {
					c.Send(ev)
				}
			})
		case mode == "group" && w.ID == 0:
			timer.Add(every, func() { cluster.SendToGroup("all", stamped()) })
		}
	}
	if rate, _ := strconv.Atoi(env("WM_RATE", "100000")); mode == "uid" && rate > 0 {
		pusher(count, rate)
	}
	worker.RunAll()
}

// pusher is a worker with no socket that sends rate events a second to
// uids u1..uN of every stream process (N = WM_UIDS), round robin.
func pusher(count, rate int) {
	uids, _ := strconv.Atoi(env("WM_UIDS", "1000"))
	p := worker.New("")
	p.Name = "pusher"
	const tick = 10 * time.Millisecond
	per := max(rate/int(time.Second/tick), 1)
	names := make([]string, max(uids/count, 1))
	for i := range names {
		names[i] = "u" + strconv.Itoa(i+1)
	}
	i := 0
	p.OnWorkerStart = func(*worker.Worker) {
		timer.Add(tick, func() {
			ev := stamped()
			for range per {
				cluster.SendToUid(names[i%len(names)], ev)
				i++
			}
		})
	}
}

func stamped() *http.ServerSentEvents {
	return &http.ServerSentEvents{Data: "ts=" + strconv.FormatInt(time.Now().UnixNano(), 10)}
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
