//go:build linux

package eventloop

import (
	"fmt"
	"log/slog"
	"os"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

const epollAvailable = true

// pollable is anything registered with epoll.
type pollable interface {
	onEvent(events uint32)
}

// epoller waits with epoll_wait and is woken through an eventfd.
type epoller struct {
	l      *Loop
	epfd   int
	efd    int
	events []unix.EpollEvent
	fds    []pollable // by fd
	gens   []int32    // by fd; an event whose generation differs is stale
	gen    int32

	wmu    sync.RWMutex // keeps wake from writing to a closed (and reused) eventfd
	closed bool

	// The epoll fd itself is registered with the Go runtime's poller, so an
	// idle loop parks as a goroutine instead of blocking a thread in
	// epoll_wait: a thread back from a blocking system call must win a P again,
	// which costs tens of microseconds when other goroutines of the process
	// are busy.
	pf       *os.File
	rc       syscall.RawConn
	deadline time.Time // what pf's read deadline is set to
	ready    func(fd uintptr) bool
	n        int // what ready saw
	err      error
}

func newPoller(l *Loop) (poller, error) {
	if l.backend == Portable {
		return newPortablePoller(l), nil
	}
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("eventloop: epoll_create1: %w", err)
	}
	efd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		unix.Close(epfd)
		return nil, fmt.Errorf("eventloop: eventfd: %w", err)
	}
	p := &epoller{l: l, epfd: epfd, efd: efd, events: make([]unix.EpollEvent, 256)}
	if err := unix.SetNonblock(epfd, true); err != nil {
		p.close()
		return nil, fmt.Errorf("eventloop: epoll fd: %w", err)
	}
	p.ready = p.poll
	p.pf = os.NewFile(uintptr(epfd), "epoll")
	if p.rc, err = p.pf.SyscallConn(); err != nil {
		p.close()
		return nil, fmt.Errorf("eventloop: epoll fd: %w", err)
	}
	if err := p.ctl(unix.EPOLL_CTL_ADD, efd, unix.EPOLLIN, nil); err != nil {
		p.close()
		return nil, err
	}
	return p, nil
}

func (p *epoller) ctl(op, fd int, events uint32, obj pollable) error {
	if op == unix.EPOLL_CTL_ADD {
		if fd >= len(p.fds) {
			n := max(2*len(p.fds), fd+1, 64)
			p.fds = append(p.fds, make([]pollable, n-len(p.fds))...)
			p.gens = append(p.gens, make([]int32, n-len(p.gens))...)
		}
		p.gen++
		p.fds[fd], p.gens[fd] = obj, p.gen
	}
	ev := unix.EpollEvent{Events: events, Fd: int32(fd)}
	if fd < len(p.gens) {
		ev.Pad = p.gens[fd]
	}
	if err := unix.EpollCtl(p.epfd, op, fd, &ev); err != nil {
		return fmt.Errorf("eventloop: epoll_ctl: %w", err)
	}
	if op == unix.EPOLL_CTL_DEL {
		p.fds[fd], p.gens[fd] = nil, 0
	}
	return nil
}

// wait takes what is ready at once; only when nothing is does it park the
// loop goroutine in the runtime's poller until the epoll fd is readable or
// the timeout passes.
func (p *epoller) wait(timeout time.Duration) {
	n, err := unix.EpollWait(p.epfd, p.events, 0)
	if n == 0 && err == nil && timeout != 0 {
		var deadline time.Time
		if timeout > 0 {
			deadline = time.Now().Add(timeout)
		}
		if !deadline.Equal(p.deadline) {
			p.pf.SetReadDeadline(deadline)
			p.deadline = deadline
		}
		// A deadline that passes ends the wait with an error: a timer is due.
		p.n, p.err = 0, nil
		p.rc.Read(p.ready)
		n, err = p.n, p.err
	}
	if err != nil {
		if err != unix.EINTR {
			slog.Error("workerman: epoll_wait", "err", err)
		}
		return
	}
	for i := 0; i < n; i++ {
		ev := &p.events[i]
		fd := int(ev.Fd)
		if fd == p.efd {
			var buf [8]byte
			unix.Read(p.efd, buf[:])
			continue
		}
		if fd >= len(p.fds) || p.fds[fd] == nil || p.gens[fd] != ev.Pad {
			continue // closed earlier in this batch
		}
		p.fds[fd].onEvent(ev.Events)
		p.l.flush()
	}
	if n == len(p.events) && n < 4096 {
		p.events = make([]unix.EpollEvent, 2*n)
	}
}

// eachConn finds the connections among the registered descriptors: the
// table of them is the registry, so a connection costs no entry elsewhere.
func (p *epoller) eachConn(fn func(c *Conn)) {
	for _, obj := range p.fds {
		if fc, ok := obj.(*fdConn); ok {
			fn(fc.c)
		}
	}
}

// poll is the runtime poller's test of readiness: false parks the loop.
func (p *epoller) poll(fd uintptr) bool {
	p.n, p.err = unix.EpollWait(int(fd), p.events, 0)
	return p.n > 0 || p.err != nil
}

func (p *epoller) wake() {
	p.wmu.RLock()
	defer p.wmu.RUnlock()
	if p.closed {
		return
	}
	one := [8]byte{1}
	unix.Write(p.efd, one[:])
}

func (p *epoller) close() {
	p.wmu.Lock()
	p.closed = true
	unix.Close(p.efd)
	p.wmu.Unlock()
	if p.pf != nil {
		p.pf.Close() // closes epfd
		return
	}
	unix.Close(p.epfd)
}
