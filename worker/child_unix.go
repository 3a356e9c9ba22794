//go:build unix

package worker

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// child is the master's handle on one child process.
type child struct {
	pid     int
	wi      int // index of its worker in All()
	slot    int // its worker's ID
	started time.Time
	link    *link
	prev    *child // the child it replaces in a reload, until it is ready; guarded by master.mu

	ready     chan struct{} // closed once the child accepts
	readyOnce sync.Once
	startErr  atomic.Pointer[string] // why it could not start, as it said
	exitedCh  chan struct{}          // closed once it has been waited for
	status    int                    // raw wait status, set before exitedCh closes

	amu     sync.Mutex
	nextID  uint64
	waiting map[uint64]chan linkMsg
}

// spawn starts the child for a worker's slot from the executable on disk
// and makes it the slot's current child; prev is the child it replaces.
func (m *master) spawn(wi, slot int, prev *child) (*child, error) {
	w := m.workers[wi]
	pair, err := socketpair()
	if err != nil {
		return nil, fmt.Errorf("worker %s: socketpair: %w", w.DisplayName(), err)
	}
	mine := os.NewFile(uintptr(pair[0]), "link")
	defer mine.Close()
	defer syscall.Close(pair[1])
	conn, err := net.FileConn(mine)
	if err != nil {
		return nil, fmt.Errorf("worker %s: link: %w", w.DisplayName(), err)
	}
	// Raw descriptors, not exec.Cmd.ExtraFiles: (*os.File).Fd would put the
	// shared listening socket in blocking mode under the children already
	// accepting on it.
	files := []uintptr{m.devNull, 1, 2, uintptr(pair[1])} // parentFD: the link
	if f := m.files[wi]; f != nil {
		fd, err := rawFD(f)
		if err != nil {
			conn.Close()
			return nil, fmt.Errorf("worker %s: listening socket: %w", w.DisplayName(), err)
		}
		files = append(files, fd) // listenerFD
	}
	attr := &syscall.ProcAttr{
		Env:   append(append(childEnv(), extensionEnv()...), fmt.Sprintf("%s=%d:%d", envChild, wi, slot)),
		Files: files,
		// Its own process group: a terminal's Ctrl+C reaches the master
		// alone, which stops the children in order.
		Sys: &syscall.SysProcAttr{Setpgid: true, Credential: m.creds[wi]},
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	pid, err := syscall.ForkExec(m.p.executable(), os.Args, attr)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("worker %s: start process: %w", w.DisplayName(), err)
	}
	c := &child{
		pid: pid, wi: wi, slot: slot, started: time.Now(), link: newLink(conn), prev: prev,
		ready: make(chan struct{}), exitedCh: make(chan struct{}), waiting: map[uint64]chan linkMsg{},
	}
	m.children[c.pid] = c
	m.slots[wi][slot] = c
	go c.read()
	go func() {
		var ws syscall.WaitStatus
		for {
			_, err := syscall.Wait4(c.pid, &ws, 0, nil)
			if err != syscall.EINTR {
				break
			}
		}
		c.status = int(ws)
		c.link.close()
		close(c.exitedCh)
		m.exited(c)
	}()
	return c, nil
}

// childEnv is this process's environment without the marks of its own
// kind, with the self-signed certificates it serves.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, envChild+"=") && !strings.HasPrefix(kv, envDaemon+"=") && !strings.HasPrefix(kv, envSelfSigned+"_") {
			env = append(env, kv)
		}
	}
	return append(env, selfSignedChildEnv()...)
}

// executable is the program to run for a child: the file the master was
// started from, so that a rebuilt binary is picked up by reload, or the
// master's own image when that file is gone (a temporary `go run` build, removed once
// the command that built it ended).
func (p *program) executable() string {
	if _, err := os.Stat(p.exe); err == nil {
		return p.exe
	}
	if _, err := os.Stat("/proc/self/exe"); err == nil {
		return "/proc/self/exe"
	}
	return p.exe
}

// read handles the child's messages until the link closes.
func (c *child) read() {
	c.link.each(func(msg linkMsg) {
		switch {
		case msg.Ready:
			c.readyOnce.Do(func() { close(c.ready) })
		case msg.Error != "":
			c.startErr.Store(&msg.Error)
		case msg.ID != 0:
			c.amu.Lock()
			ch := c.waiting[msg.ID]
			delete(c.waiting, msg.ID)
			c.amu.Unlock()
			if ch != nil {
				ch <- msg
			}
		}
	})
}

// waitReady waits until the child accepts, or reports why it never will.
func (c *child) waitReady() error {
	select {
	case <-c.ready:
		return nil
	case <-c.exitedCh:
		why := fmt.Sprintf("exit with status %d", c.status)
		if e := c.startErr.Load(); e != nil {
			why = *e
		}
		return fmt.Errorf("worker process %d could not start: %s", c.pid, why)
	case <-time.After(readyTimeout):
		return fmt.Errorf("worker process %d did not start within %s", c.pid, readyTimeout)
	}
}

func (c *child) wasReady() bool {
	select {
	case <-c.ready:
		return true
	default:
		return false
	}
}

func (c *child) gone() bool {
	select {
	case <-c.exitedCh:
		return true
	default:
		return false
	}
}

func (c *child) signal(s syscall.Signal) {
	if !c.gone() {
		syscall.Kill(c.pid, s)
	}
}

// errBusy is a child that did not answer within askTimeout.
var errBusy = errors.New("busy")

// ask sends the child a question and waits up to askTimeout for its answer.
func (c *child) ask(cmd string) (linkMsg, error) {
	ch := make(chan linkMsg, 1)
	c.amu.Lock()
	c.nextID++
	id := c.nextID
	c.waiting[id] = ch
	c.amu.Unlock()
	defer func() {
		c.amu.Lock()
		delete(c.waiting, id)
		c.amu.Unlock()
	}()
	if err := c.link.send(linkMsg{ID: id, Cmd: cmd}); err != nil {
		return linkMsg{}, errBusy
	}
	select {
	case msg := <-ch:
		return msg, nil
	case <-time.After(askTimeout):
		return linkMsg{}, errBusy
	}
}

// socketpair makes a connected pair of close-on-exec unix sockets.
func socketpair() ([2]int, error) {
	syscall.ForkLock.RLock() // no exec may inherit them before they are marked
	defer syscall.ForkLock.RUnlock()
	pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		return pair, err
	}
	unix.CloseOnExec(pair[0])
	unix.CloseOnExec(pair[1])
	return pair, nil
}

// rawFD is f's descriptor, read without (*os.File).Fd and its switch to
// blocking mode.
func rawFD(f *os.File) (uintptr, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return 0, err
	}
	var fd uintptr
	if err := rc.Control(func(s uintptr) { fd = s }); err != nil {
		return 0, err
	}
	return fd, nil
}
