//go:build unix

package worker

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/workerman-go/workerman/internal/eventloop"
)

// Bounds of the master's waits.
const (
	readyTimeout = 30 * time.Second       // a child's start, before it counts as failed
	killMargin   = 500 * time.Millisecond // past a drain's bound, before SIGKILL
	quickExit    = time.Second            // a child that dies younger is crash-looping
	maxBackoff   = 5 * time.Second
)

// master owns the listening sockets and supervises the children.
type master struct {
	p       *program
	workers []*Worker
	files   []*os.File // each worker's listening socket, nil with ReusePort or no socket
	creds   []*syscall.Credential
	devNull uintptr // the children's standard input
	start   time.Time
	sd      notifier

	mu        sync.Mutex
	slots     [][]*child // the current child of each worker's slot
	children  map[int]*child
	fails     [][]int       // consecutive quick deaths per slot
	exits     []map[int]int // per worker: raw wait status → count
	stopping  bool
	reloading bool
	done      chan struct{}
}

// runMaster runs the master in this process until it stops. notify, for a
// daemon, receives "ok" once every child serves, or the reason start failed.
func runMaster(p *program, notify *os.File) (err error) {
	// Before any file is opened: systemd's sockets sit from fd 3 on.
	sd, activated := takeNotifier(), takeActivated()
	ws := All()
	if len(ws) == 0 {
		return errors.New("worker: no workers: make some with worker.New before RunAll")
	}
	if notify != nil {
		defer func() {
			if err != nil {
				fmt.Fprintln(notify, err)
			}
			notify.Close()
		}()
	}
	if pid, _ := p.findMaster(); pid != 0 { // the command has said why a pid file is stale
		return fmt.Errorf("%s %w (pid %d)", p.tag(), errRunning, pid)
	}
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGTSTP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2)
	signal.Ignore(syscall.SIGPIPE)
	defer signal.Stop(sigs)

	// The master's loop runs its hooks and the timers they add.
	loop := eventloop.Default()
	loop.Discard()
	if err := loop.Acquire(); err != nil {
		return err
	}
	defer loop.Release()

	m := &master{p: p, workers: ws, start: time.Now(), sd: sd, children: map[int]*child{}, done: make(chan struct{})}
	null, err := os.Open(os.DevNull)
	if err != nil {
		return err
	}
	defer null.Close()
	if m.devNull, err = rawFD(null); err != nil {
		return err
	}
	if err := m.bind(activated); err != nil {
		return err
	}
	defer m.closeSockets()
	// The control socket answers before the pid file names this process,
	// so that a command never takes the master for a stale pid.
	ctl, err := listenControl(p.sock)
	if err != nil {
		return err
	}
	defer os.Remove(p.sock)
	defer ctl.Close()
	go m.serveControl(ctl)
	stopMetrics, err := m.serveMetrics()
	if err != nil {
		return err
	}
	defer stopMetrics()
	if err := p.writePidFile(); err != nil {
		return fmt.Errorf("worker: write pid file: %w", err)
	}
	defer p.removePidFile()
	stopExtensions, err := startExtensions()
	if err != nil {
		return err
	}
	defer stopExtensions()

	if err := m.startAll(); err != nil {
		m.stop(stopNow, "start failed")
		<-m.done
		return err
	}
	if OnMasterStart != nil {
		p.guard("OnMasterStart", OnMasterStart)
	}
	m.sd.send("READY=1", "STATUS="+m.serving())
	if notify != nil {
		fmt.Fprintln(notify, "ok")
	} else {
		fmt.Print(banner(ws))
		fmt.Println("Press Ctrl+C to stop. Start success.")
	}
	watchdog, stopWatchdog := m.sd.ticks()
	defer stopWatchdog()
	for {
		select {
		case <-watchdog:
			m.sd.send("WATCHDOG=1")
		case s := <-sigs:
			m.signal(s.(syscall.Signal))
		case <-m.done:
			p.log(p.tag() + " has been stopped")
			if OnMasterStop != nil {
				p.guard("OnMasterStop", OnMasterStop)
			}
			return nil
		}
	}
}

func (m *master) signal(s syscall.Signal) {
	if mode := drainModeOf(s); mode.reload() {
		m.reload(mode)
	} else {
		m.stop(mode, "received signal "+signalName(s))
	}
}

func signalName(s syscall.Signal) string {
	switch s {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGHUP:
		return "SIGHUP"
	case syscall.SIGTSTP:
		return "SIGTSTP"
	case syscall.SIGQUIT:
		return "SIGQUIT"
	case syscall.SIGUSR1:
		return "SIGUSR1"
	case syscall.SIGUSR2:
		return "SIGUSR2"
	}
	return strconv.Itoa(int(s))
}

// serving is the STATUS= line of a master whose children all serve: the
// current child of each slot, not those a graceful reload lets finish.
func (m *master) serving() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, slots := range m.slots {
		for _, c := range slots {
			if c != nil {
				n++
			}
		}
	}
	return fmt.Sprintf("%d worker processes serve", n)
}

// bind opens every shared listening socket, or takes it from the sockets
// systemd passed, and works out each worker's credentials, before any
// child starts.
func (m *master) bind(activated []activated) error {
	m.files = make([]*os.File, len(m.workers))
	m.creds = make([]*syscall.Credential, len(m.workers))
	m.slots = make([][]*child, len(m.workers))
	m.fails = make([][]int, len(m.workers))
	m.exits = make([]map[int]int, len(m.workers))
	for i, w := range m.workers {
		w.Count = max(w.Count, 1)
		m.slots[i] = make([]*child, w.Count)
		m.fails[i] = make([]int, w.Count)
		m.exits[i] = map[int]int{}
		cred, warn := credential(w)
		if warn != "" {
			m.p.log(warn)
		}
		m.creds[i] = cred
		if w.ReusePort || w.SocketName() == "" {
			continue
		}
		if f := pickActivated(&activated, w); f != nil {
			if err := w.UseListener(f); err != nil {
				m.closeSockets()
				return err
			}
		}
		if err := w.Bind(); err != nil {
			m.closeSockets()
			return err
		}
		m.files[i] = w.ListenerFile()
		if cred != nil && w.Transport == "unix" && !w.inherited {
			// The socket file belongs to the account that serves it, as in Workerman.
			if err := os.Chown(w.address, int(cred.Uid), int(cred.Gid)); err != nil {
				m.p.log("Warning: " + err.Error())
			}
		}
	}
	for _, a := range activated {
		m.p.log(fmt.Sprintf("Warning: %s (%v) passed by systemd is no worker's socket", a.f.Name(), a.addr))
		a.f.Close()
	}
	return nil
}

func (m *master) closeSockets() {
	for _, w := range m.workers {
		w.closeFile()
	}
}

// startAll starts every child and waits until each one accepts.
func (m *master) startAll() error {
	var started []*child
	for i, w := range m.workers {
		for slot := range w.Count {
			c, err := m.spawn(i, slot, nil)
			if err != nil {
				return err
			}
			started = append(started, c)
		}
	}
	for _, c := range started {
		if err := c.waitReady(); err != nil {
			return err
		}
	}
	return nil
}

// stop ends every child (in stopGraceful mode once its clients leave) and
// then the master.
func (m *master) stop(mode drainMode, why string) {
	m.mu.Lock()
	if m.stopping {
		m.mu.Unlock()
		return
	}
	m.stopping = true
	kids := m.live()
	m.mu.Unlock()
	m.sd.send("STOPPING=1")
	m.p.log(m.p.tag() + " " + why)
	m.p.log(m.p.tag() + " stopping")
	for _, c := range kids {
		c.signal(mode.signal())
	}
	if len(kids) == 0 {
		close(m.done)
		return
	}
	m.killLater(kids, mode.bound())
}

// killLater SIGKILLs the children of kids still there a little after bound,
// when their own drain should have ended them; 0 is no bound.
func (m *master) killLater(kids []*child, bound time.Duration) {
	if bound <= 0 {
		return
	}
	time.AfterFunc(bound+killMargin, func() {
		for _, c := range kids {
			c.signal(syscall.SIGKILL)
		}
	})
}

// live lists the running children. Call with mu held.
func (m *master) live() []*child {
	kids := make([]*child, 0, len(m.children))
	for _, c := range m.children {
		kids = append(kids, c)
	}
	sort.Slice(kids, func(i, j int) bool { return kids[i].pid < kids[j].pid })
	return kids
}

// exited runs when a child has been waited for.
func (m *master) exited(c *child) {
	w := m.workers[c.wi]
	m.mu.Lock()
	delete(m.children, c.pid)
	m.exits[c.wi][c.status]++
	current := m.slots[c.wi][c.slot] == c
	respawn := false
	var delay time.Duration
	if current {
		m.slots[c.wi][c.slot] = nil
		switch {
		case c.prev != nil && !c.prev.gone():
			m.slots[c.wi][c.slot] = c.prev // a failed replacement: the old child serves on
		case !m.stopping:
			respawn = true
			delay = m.backoff(c)
		}
	}
	left := len(m.children)
	stopping := m.stopping
	m.mu.Unlock()

	if c.status != 0 {
		m.p.log(fmt.Sprintf("worker[%s:%d] exit with status %d", w.DisplayName(), c.pid, c.status))
	}
	if OnWorkerExit != nil {
		m.p.guard("worker["+w.DisplayName()+"] onWorkerExit", func() { OnWorkerExit(w, c.status, c.pid) })
	}
	if stopping && left == 0 {
		close(m.done)
		return
	}
	if respawn {
		m.respawn(c.wi, c.slot, delay)
	}
}

// backoff is how long to wait before replacing c: nothing for a child that
// lived, growing waits for one that keeps dying young. Call with mu held.
func (m *master) backoff(c *child) time.Duration {
	if c.wasReady() && time.Since(c.started) >= quickExit {
		m.fails[c.wi][c.slot] = 0
		return 0
	}
	m.fails[c.wi][c.slot]++
	n := m.fails[c.wi][c.slot]
	if n <= 1 {
		return 0
	}
	return min(100*time.Millisecond<<(n-2), maxBackoff)
}

// respawn starts a new child for an empty slot after delay; a child that
// cannot be started is tried again later.
func (m *master) respawn(wi, slot int, delay time.Duration) {
	if delay > 0 {
		m.p.log(fmt.Sprintf("worker[%s] keeps exiting: next start in %s", m.workers[wi].DisplayName(), delay))
	}
	time.AfterFunc(delay, func() {
		m.mu.Lock()
		vacant := !m.stopping && m.slots[wi][slot] == nil
		m.mu.Unlock()
		if !vacant {
			return
		}
		if _, err := m.spawn(wi, slot, nil); err != nil {
			m.p.log(err.Error())
			m.respawn(wi, slot, min(max(2*delay, 100*time.Millisecond), maxBackoff))
		}
	})
}

// guard runs a master hook on the master's loop; a panic is logged and the
// master goes on.
func (p *program) guard(where string, fn func()) {
	eventloop.Default().Exec(func() {
		defer func() {
			if r := recover(); r != nil {
				p.log(fmt.Sprintf("%s %v", where, r))
			}
		}()
		fn()
	})
}

// listenControl opens the control socket that status and connections ask.
func listenControl(path string) (*net.UnixListener, error) {
	os.Remove(path) // left by a master that was killed
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("worker: control socket %s: %w", path, err)
	}
	ln.SetUnlinkOnClose(false) // removed by runMaster, once
	os.Chmod(path, 0o600)
	return ln, nil
}
