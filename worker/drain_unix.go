//go:build unix

package worker

import (
	"os"
	"syscall"
	"time"

	"github.com/workerman-go/workerman/internal/eventloop"
)

// signal is what asks a process to drain in mode d: Workerman's signals,
// which the commands send the master and the master its children.
func (d drainMode) signal() syscall.Signal {
	switch d {
	case stopGraceful:
		return syscall.SIGQUIT
	case reloadNow:
		return syscall.SIGUSR1
	case reloadGraceful:
		return syscall.SIGUSR2
	}
	return syscall.SIGINT
}

// drainModeOf is what a signal the master or a child catches asks for:
// SIGINT, SIGTERM, SIGHUP and SIGTSTP stop.
func drainModeOf(s os.Signal) drainMode {
	switch s {
	case syscall.SIGQUIT:
		return stopGraceful
	case syscall.SIGUSR1:
		return reloadNow
	case syscall.SIGUSR2:
		return reloadGraceful
	}
	return stopNow
}

// drain stops the child: OnWorkerStop runs, accepting stops (the listening
// socket stays the master's), and then either every connection is closed as
// soon as it is idle, or, gracefully, the child waits for its clients to
// leave. In a reload a connection that has sent nothing yet is not idle: its
// client's request may be on its way, and this child is the one to answer
// it. A stop signal during a graceful drain makes it a plain one; a drain
// past its bound closes what is left.
func drain(g *Group, w *Worker, mode drainMode, sigs <-chan os.Signal) {
	loop := eventloop.Default()
	empty := make(chan struct{})
	hard := make(chan bool, 1) // switch the ticker to closing idle connections
	start := mode              // the loop's copy: mode may turn hurried meanwhile
	loop.Exec(func() {
		if fn := w.OnWorkerStop; fn != nil {
			w.OnWorkerStop = nil // runs once, now, not again when the group stops
			w.call("OnWorkerStop", func() { fn(w) }, nil)
		}
		if w.ln != nil {
			w.ln.Pause()
		}
		closing := !start.graceful()
		closed := false
		loop.AddSystemTimer(10*time.Millisecond, eventloop.Repeating, func() {
			select {
			case <-hard:
				closing = true
			default:
			}
			if len(w.Connections()) == 0 {
				if !closed {
					closed = true
					close(empty)
				}
				return
			}
			if closing {
				closeIdle(w, start)
			}
		})
	})
	bound := mode.bound()
	var deadline <-chan time.Time
	if bound > 0 {
		deadline = time.After(bound)
	}
	for waiting := true; waiting; {
		select {
		case <-empty:
			waiting = false
		case <-deadline:
			waiting = false
		case s := <-sigs:
			if mode.graceful() && !drainModeOf(s).graceful() {
				mode = mode.hurried()
				hard <- true
				deadline = time.After(mode.bound())
			}
		}
	}
	g.Stop()
}

// closeIdle closes every connection of w that holds no partial package,
// but in a reload only the idle ones: not those whose first request (or TLS
// handshake) may be on its way; a WebSocket is told the server is going
// away (1001). Loop-only.
func closeIdle(w *Worker, mode drainMode) {
	for _, c := range w.Connections() {
		if c.Idle() || !mode.reload() && c.RecvBufferSize() == 0 {
			c.GoAway()
		}
	}
}
