//go:build unix

package worker

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"sync"
	"time"
)

// The control socket lets status and connections ask the running master
// instead of signalling it and sleeping: a command connects, writes one
// request, and reads the answer as JSON. The master asks its children in
// parallel over their links and waits at most askTimeout for each.

// controlRequest is what a command asks.
type controlRequest struct {
	Cmd string `json:"cmd"`
}

// controlTimeout bounds one exchange on the control socket.
const controlTimeout = 5 * time.Second

// askPid asks the master for its pid, which tells a command that the
// process the pid file names is the master and not one that was given the
// pid of a master killed before it could remove the file.
const askPid = "pid"

func (m *master) serveControl(ln *net.UnixListener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go m.answer(c)
	}
}

func (m *master) answer(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(controlTimeout))
	var req controlRequest
	if err := json.NewDecoder(c).Decode(&req); err != nil {
		return
	}
	switch req.Cmd {
	case askPid:
		json.NewEncoder(c).Encode(os.Getpid())
	case askStatus:
		json.NewEncoder(c).Encode(m.status())
	case askConnections:
		json.NewEncoder(c).Encode(m.connections())
	}
}

// askAll asks every live child the same question in parallel.
func (m *master) askAll(cmd string) ([]*child, []linkMsg, []error) {
	m.mu.Lock()
	kids := m.live()
	m.mu.Unlock()
	msgs := make([]linkMsg, len(kids))
	errs := make([]error, len(kids))
	var wg sync.WaitGroup
	for i, c := range kids {
		wg.Go(func() { msgs[i], errs[i] = c.ask(cmd) })
	}
	wg.Wait()
	return kids, msgs, errs
}

func (m *master) status() *statusReport {
	kids, msgs, errs := m.askAll(askStatus)
	m.mu.Lock()
	r := newReport(m.start, m.p.daemon, m.workers)
	for i := range m.workers {
		for st, n := range m.exits[i] {
			r.Workers[i].Exits = append(r.Workers[i].Exits, exitCount{Status: st, Count: n})
		}
		sortExits(r.Workers[i].Exits)
	}
	m.mu.Unlock()
	for i, c := range kids {
		w := m.workers[c.wi]
		var f *processFigures
		if errs[i] == nil {
			f = msgs[i].Figures
		}
		r.addProcess(processStatus{PID: c.pid, Worker: w.DisplayName(), ID: c.slot, Listen: listenName(w)}, f, c.wi)
	}
	return r
}

func (m *master) connections() []connectionStatus {
	_, msgs, errs := m.askAll(askConnections)
	out := []connectionStatus{}
	for i, msg := range msgs {
		if errs[i] == nil {
			out = append(out, msg.Connections...)
		}
	}
	return out
}

// queryStatus asks the master whose pid is pid for its status report.
func queryStatus(p *program, pid int) (*statusReport, error) {
	var r statusReport
	if err := query(p, pid, askStatus, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// isMaster reports whether process pid is this program's master: its
// control socket answers with that pid or, when the socket does not answer
// (removed by hand, or a master of an older build), the process runs this
// program's executable. Where no /proc tells, the socket alone decides.
func (p *program) isMaster(pid int) bool {
	var got int
	if err := query(p, pid, askPid, &got); err == nil {
		return got == pid
	}
	same, known := runsExecutable(pid, p.exe, p.name)
	return known && same
}

// queryConnections asks the master for every connection of its children.
func queryConnections(p *program, pid int) ([]connectionStatus, error) {
	var cs []connectionStatus
	err := query(p, pid, askConnections, &cs)
	return cs, err
}

func query(p *program, pid int, cmd string, into any) error {
	c, err := net.DialTimeout("unix", p.sock, controlTimeout)
	if err != nil {
		return fmt.Errorf("%s: master %d does not answer on %s: %w", p.tag(), pid, p.sock, err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(controlTimeout))
	if err := json.NewEncoder(c).Encode(controlRequest{Cmd: cmd}); err != nil {
		return fmt.Errorf("%s: ask master %d: %w", p.tag(), pid, err)
	}
	if err := json.NewDecoder(c).Decode(into); err != nil {
		return fmt.Errorf("%s: read the answer of master %d: %w", p.tag(), pid, err)
	}
	return nil
}
