package worker

import (
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/internal/eventloop"
	"github.com/workerman-go/workerman/protocols"
)

// Group is a set of workers served in this process, all on its one event loop:
// how tests, examples and single-process deployments run workers.
type Group struct {
	loop    *eventloop.Loop
	workers []*Worker
	once    sync.Once
	started time.Time

	metrics     net.Addr // where it serves metrics, nil for nowhere
	stopMetrics func()
}

// Start binds every worker (127.0.0.1:0 picks a free port: read it with
// Addr), runs their OnWorkerStart on the loop, then starts accepting. It
// returns once all of them accept. Stop undoes it. When MetricsAddr is set,
// the group serves this process's figures there from then on.
func Start(ws ...*Worker) (*Group, error) {
	return startGroup(ws, MetricsAddr)
}

// startGroup is Start serving metrics at metricsAt ("" for nowhere).
func startGroup(ws []*Worker, metricsAt string) (*Group, error) {
	ln, err := listenMetrics(metricsAt)
	if err != nil {
		return nil, err
	}
	for _, w := range ws {
		if err := w.Bind(); err != nil {
			closeFiles(ws)
			closeListener(ln)
			return nil, err
		}
	}
	l := eventloop.Default()
	if err := l.Acquire(); err != nil {
		closeFiles(ws)
		closeListener(ln)
		return nil, err
	}
	g := &Group{loop: l, workers: ws, started: time.Now(), stopMetrics: func() {}}
	l.Exec(func() { err = g.start() })
	if err != nil {
		closeListener(ln)
		g.Stop()
		return nil, err
	}
	if ln != nil {
		g.metrics, g.stopMetrics = ln.Addr(), serveMetrics(ln, g.status)
	}
	return g, nil
}

func closeListener(ln net.Listener) {
	if ln != nil {
		ln.Close()
	}
}

// status is the report of this one process, which serves every worker of
// the group: one process whose worker label names them all.
func (g *Group) status() *statusReport {
	r := newReport(g.started, false, g.workers)
	names := make([]string, len(g.workers))
	listens := make([]string, len(g.workers))
	wis := make([]int, len(g.workers))
	for i := range r.Workers {
		r.Workers[i].Count = 1
		names[i], listens[i], wis[i] = r.Workers[i].Name, r.Workers[i].Listen, i
	}
	ps := processStatus{PID: os.Getpid(), Worker: strings.Join(names, ","), Listen: strings.Join(listens, ",")}
	r.addProcess(ps, gatherFigures(), wis...)
	return r
}

func (g *Group) start() error {
	for _, w := range g.workers {
		w.loop = g.loop
		if err := w.listen(true); err != nil {
			return err
		}
	}
	for _, w := range g.workers {
		if w.OnWorkerStart != nil && !w.call("OnWorkerStart", func() { w.OnWorkerStart(w) }, nil) {
			return fmt.Errorf("worker %s: OnWorkerStart: %w", w.DisplayName(), errPanicked)
		}
	}
	for _, w := range g.workers {
		w.resumeSockets()
	}
	return nil
}

// Workers are the group's workers.
func (g *Group) Workers() []*Worker { return g.workers }

// Stop stops accepting, runs OnWorkerStop, closes every connection (OnClose
// runs for each; a WebSocket is first told the server is going away, 1001)
// and releases the loop. It returns once every goroutine and file
// descriptor the group used is released. Call it from outside the loop;
// calling it again does nothing.
func (g *Group) Stop() {
	g.once.Do(func() {
		g.stopMetrics()
		var told []*connection.TcpConnection
		g.loop.Exec(func() {
			for i := len(g.workers) - 1; i >= 0; i-- {
				told = append(told, g.workers[i].stop()...)
			}
		})
		g.awaitWritten(told)
		g.loop.Exec(func() {
			for _, w := range g.workers {
				for _, c := range w.conns {
					c.Destroy()
				}
			}
		})
		g.loop.Release()
		closeFiles(g.workers)
	})
}

// goAwayWrite bounds how long Stop waits for what the connections were told
// on going away to reach the kernel before it closes them.
const goAwayWrite = 100 * time.Millisecond

// awaitWritten waits until the output of each of cs is written or the
// connection is gone, for goAwayWrite at most, polling every millisecond.
func (g *Group) awaitWritten(cs []*connection.TcpConnection) {
	deadline := time.Now().Add(goAwayWrite)
	for len(cs) > 0 && time.Now().Before(deadline) {
		g.loop.Exec(func() {
			left := cs[:0]
			for _, c := range cs {
				if c.Status() != connection.StatusClosed && c.SendBufferSize() > 0 {
					left = append(left, c)
				}
			}
			cs = left
		})
		if len(cs) > 0 {
			time.Sleep(time.Millisecond)
		}
	}
}

// stop runs on the loop. It returns the connections told that the server
// goes, whose protocol said so (protocols.GoingAway); the others are closed.
func (w *Worker) stop() (told []*connection.TcpConnection) {
	if w.OnWorkerStop != nil {
		w.call("OnWorkerStop", func() { w.OnWorkerStop(w) }, nil)
	}
	w.closeSockets()
	for _, c := range w.conns {
		if _, ok := c.Protocol().(protocols.GoingAway); ok {
			told = append(told, c)
		}
		c.GoAway()
	}
	return told
}

func closeFiles(ws []*Worker) {
	for _, w := range ws {
		if w.ln == nil && w.pc == nil {
			w.closeFile()
		}
	}
}
