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
//
// It finds what an event is for by its descriptor. A connection is one
// pointer in pages of a table by descriptor, made as descriptors reach them
// and never moved: 8 bytes a connection, and a table that grows leaves no
// garbage. Listeners and datagram sockets are few and sit in a map.
type epoller struct {
	l        *Loop
	epfd     int
	efd      int
	events   []unix.EpollEvent
	pages    [][]*Conn
	others   map[int32]pollable
	handling bool    // a batch of events is being handled
	fresh    []*Conn // registered while it is: its events are for a closed descriptor

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
	if err := p.ctl(unix.EPOLL_CTL_ADD, efd, unix.EPOLLIN); err != nil {
		p.close()
		return nil, err
	}
	return p, nil
}

func (p *epoller) ctl(op, fd int, events uint32) error {
	ev := unix.EpollEvent{Events: events, Fd: int32(fd)}
	if err := unix.EpollCtl(p.epfd, op, fd, &ev); err != nil {
		return fmt.Errorf("eventloop: epoll_ctl: %w", err)
	}
	return nil
}

// pageBits sizes the pages of the connection table: 1024 descriptors, 8 KiB.
const pageBits = 10

// addConn registers c for its events.
func (p *epoller) addConn(c *Conn) error {
	fd := int(c.fd)
	if err := p.ctl(unix.EPOLL_CTL_ADD, fd, c.events()); err != nil {
		return err
	}
	i := fd >> pageBits
	if i >= len(p.pages) {
		p.pages = append(p.pages, make([][]*Conn, i+1-len(p.pages))...)
	}
	if p.pages[i] == nil {
		p.pages[i] = make([]*Conn, 1<<pageBits)
	}
	p.pages[i][fd&(1<<pageBits-1)] = c
	if p.handling {
		c.set(connFresh, true)
		p.fresh = append(p.fresh, c)
	}
	return nil
}

// delConn stops watching c.
func (p *epoller) delConn(c *Conn) {
	fd := int(c.fd)
	p.ctl(unix.EPOLL_CTL_DEL, fd, 0)
	p.pages[fd>>pageBits][fd&(1<<pageBits-1)] = nil
}

// connAt is the connection registered on fd, nil when none is.
func (p *epoller) connAt(fd int) *Conn {
	if i := fd >> pageBits; i < len(p.pages) && p.pages[i] != nil {
		return p.pages[i][fd&(1<<pageBits-1)]
	}
	return nil
}

// watch registers a listener or datagram socket.
func (p *epoller) watch(fd int, events uint32, obj pollable) error {
	if err := p.ctl(unix.EPOLL_CTL_ADD, fd, events); err != nil {
		return err
	}
	if p.others == nil {
		p.others = map[int32]pollable{}
	}
	p.others[int32(fd)] = obj
	return nil
}

// unwatch stops watching what watch registered.
func (p *epoller) unwatch(fd int) {
	p.ctl(unix.EPOLL_CTL_DEL, fd, 0)
	delete(p.others, int32(fd))
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
	p.handling = true
	for i := 0; i < n; i++ {
		ev := &p.events[i]
		fd := int(ev.Fd)
		if fd == p.efd {
			var buf [8]byte
			unix.Read(p.efd, buf[:])
			continue
		}
		// A descriptor closed earlier in this batch has no entry, or that
		// of a connection accepted since; a listener or datagram socket
		// given a closed one's event finds nothing to take.
		if c := p.connAt(fd); c != nil {
			if c.is(connFresh) {
				continue
			}
			(*fdConn)(c).onEvent(ev.Events)
		} else if obj := p.others[int32(fd)]; obj != nil {
			obj.onEvent(ev.Events)
		} else {
			continue
		}
		p.l.flush()
		p.l.runOwnTasks()
	}
	p.handling = false
	for i, c := range p.fresh {
		c.set(connFresh, false)
		p.fresh[i] = nil
	}
	p.fresh = p.fresh[:0]
	if n == len(p.events) && n < 4096 {
		p.events = make([]unix.EpollEvent, 2*n)
	}
}

// eachConn finds the connections among the registered descriptors: the
// table of them is the registry, so a connection costs no entry elsewhere.
func (p *epoller) eachConn(fn func(c *Conn)) {
	for _, page := range p.pages {
		for _, c := range page {
			if c != nil {
				fn(c)
			}
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
