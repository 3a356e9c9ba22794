//go:build unix

package worker

import (
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/workerman-go/workerman/internal/eventloop"
)

// Inherited file descriptors of a child process.
const (
	linkFD     = 3
	listenerFD = 4
)

// runChild serves one worker's slot in a process a master started, until
// the master tells it to stop or goes away.
func runChild(spec string) error {
	wi, slot, err := parseChildSpec(spec)
	if err != nil {
		return err
	}
	ws := All()
	if wi >= len(ws) {
		return fmt.Errorf("worker: child of worker %d, but the program makes %d workers", wi, len(ws))
	}
	w := ws[wi]
	w.ID = slot
	lf := os.NewFile(linkFD, "link")
	conn, err := net.FileConn(lf)
	lf.Close()
	if err != nil {
		return fmt.Errorf("worker: link to the master: %w", err)
	}
	l := newLink(conn)
	defer l.close()
	if !w.ReusePort && w.SocketName() != "" {
		if err := w.UseListener(os.NewFile(listenerFD, "listener")); err != nil {
			l.send(linkMsg{Error: err.Error()})
			return err
		}
	}
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGTSTP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2)
	signal.Ignore(syscall.SIGPIPE)
	defer signal.Stop(sigs)

	g, err := Start(w)
	if err != nil {
		l.send(linkMsg{Error: err.Error()})
		return err
	}
	l.send(linkMsg{Ready: true})
	masterGone := make(chan struct{})
	go func() {
		l.each(func(m linkMsg) { go answerMaster(l, w, m) })
		close(masterGone)
	}()
	for {
		select {
		case <-masterGone:
			drain(g, w, false, false, sigs)
			return nil
		case s := <-sigs:
			switch s {
			case syscall.SIGQUIT:
				drain(g, w, true, false, sigs)
				return nil
			case syscall.SIGUSR1, syscall.SIGUSR2:
				if fn := w.OnWorkerReload; fn != nil {
					eventloop.Default().Exec(func() { w.call("OnWorkerReload", func() { fn(w) }, nil) })
				}
				if w.Reloadable {
					drain(g, w, s == syscall.SIGUSR2, true, sigs)
					return nil
				}
			default:
				drain(g, w, false, false, sigs)
				return nil
			}
		}
	}
}

func parseChildSpec(spec string) (wi, slot int, err error) {
	a, b, ok := strings.Cut(spec, ":")
	if ok {
		wi, err = strconv.Atoi(a)
		if err == nil {
			slot, err = strconv.Atoi(b)
		}
	}
	if !ok || err != nil || wi < 0 || slot < 0 {
		return 0, 0, fmt.Errorf("worker: bad %s=%q: want worker:slot", envChild, spec)
	}
	return wi, slot, nil
}

// answerMaster answers one question; the figures are gathered on the loop,
// so a loop kept busy by a callback answers late and shows as busy.
func answerMaster(l *link, w *Worker, m linkMsg) {
	reply := linkMsg{ID: m.ID}
	switch m.Cmd {
	case askStatus:
		f := gatherFigures()
		reply.Figures = &f
	case askConnections:
		reply.Connections = gatherConnections(os.Getpid())
	default:
		return
	}
	l.send(reply)
}

// drain stops the child: OnWorkerStop runs, accepting stops (the listening
// socket stays the master's), and then either every connection is closed as
// soon as it is idle, or, gracefully, the child waits for its clients to
// leave. In a reload a connection that has sent nothing yet is not idle: its
// client's request may be on its way, and this child is the one to answer
// it. A stop signal during a graceful drain makes it a plain one; a drain
// past its bound closes what is left.
func drain(g *Group, w *Worker, graceful, reload bool, sigs <-chan os.Signal) {
	loop := eventloop.Default()
	empty := make(chan struct{})
	hard := make(chan bool, 1) // switch the ticker to closing idle connections
	loop.Exec(func() {
		if fn := w.OnWorkerStop; fn != nil {
			w.OnWorkerStop = nil // runs once, now, not again when the group stops
			w.call("OnWorkerStop", func() { fn(w) }, nil)
		}
		if w.ln != nil {
			w.ln.Pause()
		}
		closing := !graceful
		closed := false
		loop.AddSystemTimer(10*time.Millisecond, true, func() {
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
				closeIdle(w, !reload)
			}
		})
	})
	bound := drainBound(graceful, reload)
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
			if graceful && s != syscall.SIGQUIT && s != syscall.SIGUSR2 {
				graceful = false
				hard <- true
				deadline = time.After(StopTimeout)
			}
		}
	}
	g.Stop()
}

// closeIdle closes every connection of w that holds no partial package;
// with fresh, also those that have not sent a byte yet. Loop-only.
func closeIdle(w *Worker, fresh bool) {
	for _, c := range w.Connections() {
		if c.RecvBufferSize() == 0 && (c.BytesRead() > 0 || fresh) {
			c.Close()
		}
	}
}
