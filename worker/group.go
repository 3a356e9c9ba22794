package worker

import (
	"fmt"
	"sync"

	"github.com/workerman-go/workerman/internal/eventloop"
)

// Group is a set of workers served in this process, all on its one event loop:
// how tests, examples and single-process deployments run workers.
type Group struct {
	loop    *eventloop.Loop
	workers []*Worker
	once    sync.Once
}

// Start binds every worker (127.0.0.1:0 picks a free port: read it with
// Addr), runs their OnWorkerStart on the loop, then starts accepting. It
// returns once all of them accept. Stop undoes it.
func Start(ws ...*Worker) (*Group, error) {
	for _, w := range ws {
		if err := w.Bind(); err != nil {
			closeFiles(ws)
			return nil, err
		}
	}
	l := eventloop.Default()
	if err := l.Acquire(); err != nil {
		closeFiles(ws)
		return nil, err
	}
	g := &Group{loop: l, workers: ws}
	var err error
	l.Exec(func() { err = g.start() })
	if err != nil {
		g.Stop()
		return nil, err
	}
	return g, nil
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
// runs for each) and releases the loop. It returns once every goroutine and
// file descriptor the group used is released. Call it from outside the loop;
// calling it again does nothing.
func (g *Group) Stop() {
	g.once.Do(func() {
		g.loop.Exec(func() {
			for i := len(g.workers) - 1; i >= 0; i-- {
				g.workers[i].stop()
			}
		})
		g.loop.Release()
		closeFiles(g.workers)
	})
}

// stop runs on the loop.
func (w *Worker) stop() {
	if w.OnWorkerStop != nil {
		w.call("OnWorkerStop", func() { w.OnWorkerStop(w) }, nil)
	}
	w.closeSockets()
	for _, c := range w.conns {
		c.Destroy()
	}
}

func closeFiles(ws []*Worker) {
	for _, w := range ws {
		if w.ln == nil && w.pc == nil {
			w.closeFile()
		}
	}
}
