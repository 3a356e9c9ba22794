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

	"github.com/workerman-go/workerman/internal/eventloop"
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
	lf := os.NewFile(parentFD, "link")
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

	g, err := startGroup([]*Worker{w}, "") // the master serves the metrics
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
			drain(g, w, stopNow, sigs)
			return nil
		case s := <-sigs:
			mode := drainModeOf(s)
			if mode.reload() {
				if fn := w.OnWorkerReload; fn != nil {
					eventloop.Default().Exec(func() { w.call("OnWorkerReload", func() { fn(w) }, nil) })
				}
				if !w.Reloadable {
					continue
				}
			}
			drain(g, w, mode, sigs)
			return nil
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
		reply.Figures = gatherFigures()
	case askConnections:
		reply.Connections = gatherConnections(os.Getpid())
	default:
		return
	}
	l.send(reply)
}
