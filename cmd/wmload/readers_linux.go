package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// epollReaders reads the streams of a run (-readers) from a few goroutines,
// each with an epoll set of its own, instead of a goroutine per client: per
// event that is one edge-triggered epoll entry and one read(2), with no
// goroutine switch, so that less of the cores a server shares with its load
// goes to the load. A reader with nothing ready parks in the runtime's
// poller until its set is readable, rather than blocking a thread in
// epoll_wait, which would have the runtime's monitor wake every 20 µs to
// take the thread's processor back. Client i is in set i modulo the number
// of sets. Each receipt is timed just after its read, as a goroutine per
// client times it.
type epollReaders struct {
	run     *sseRun
	sets    []int                       // epoll descriptors
	files   []*os.File                  // the same in the runtime's poller (Fd would make them blocking)
	streams []atomic.Pointer[sseStream] // by client, nil once its stream ended
	fds     []int                       // by client, 0 until it is added
	reading sync.WaitGroup
}

func newEpollReaders(r *sseRun) (streamReaders, error) {
	e := &epollReaders{run: r, streams: make([]atomic.Pointer[sseStream], r.clients), fds: make([]int, r.clients)}
	for range r.readers {
		set, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
		if err == nil {
			if err = unix.SetNonblock(set, true); err != nil {
				unix.Close(set)
			}
		}
		if err != nil {
			e.close()
			return nil, os.NewSyscallError("epoll_create1", err)
		}
		e.sets = append(e.sets, set)
		e.files = append(e.files, os.NewFile(uintptr(set), "epoll"))
	}
	for i, f := range e.files {
		rc, err := f.SyscallConn()
		if err == nil {
			err = f.SetReadDeadline(r.deadline)
		}
		if err != nil {
			e.close()
			return nil, fmt.Errorf("sse: -readers: %w", err)
		}
		e.reading.Add(1)
		go e.read(e.sets[i], rc)
	}
	return e, nil
}

// add takes c's socket out of the Go runtime's poller into an epoll set.
func (e *epollReaders) add(i int, c net.Conn, s *sseStream, rest []byte) {
	r := e.run
	s.now = time.Now()
	if err := s.consume(rest, s.event); err != nil {
		c.Close()
		r.end(s, err)
		return
	}
	fd, err := detach(c)
	if err != nil {
		r.end(s, err)
		return
	}
	e.fds[i] = fd
	e.streams[i].Store(s)
	ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLRDHUP | unix.EPOLLET, Fd: int32(fd), Pad: int32(i)}
	if err := unix.EpollCtl(e.sets[i%len(e.sets)], unix.EPOLL_CTL_ADD, fd, &ev); err != nil {
		e.streams[i].Store(nil)
		r.end(s, os.NewSyscallError("epoll_ctl", err))
	}
}

// detach duplicates c's descriptor and closes c, which takes the original
// out of the runtime's poller; the socket stays open, non-blocking, on the
// duplicate.
func detach(c net.Conn) (int, error) {
	defer c.Close()
	sc, ok := c.(syscall.Conn)
	if !ok {
		return 0, errors.New("-readers: the connection has no descriptor")
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return 0, err
	}
	fd := -1
	if cerr := raw.Control(func(f uintptr) {
		fd, err = unix.FcntlInt(f, unix.F_DUPFD_CLOEXEC, 0)
	}); cerr != nil {
		return 0, cerr
	}
	if err != nil {
		return 0, os.NewSyscallError("fcntl", err)
	}
	return fd, nil
}

// read serves one set until the deadline, which ends the wait in rc.
func (e *epollReaders) read(set int, rc syscall.RawConn) {
	defer e.reading.Done()
	r := e.run
	events := make([]unix.EpollEvent, 512)
	buf := make([]byte, 64<<10)
	var n int
	var err error
	ready := func(uintptr) bool {
		n, err = unix.EpollWait(set, events, 0)
		return n != 0 || (err != nil && err != unix.EINTR)
	}
	for rc.Read(ready) == nil {
		if err != nil {
			r.fail(&r.errs.Read, os.NewSyscallError("epoll_wait", err))
			return
		}
		for _, ev := range events[:n] {
			if s := e.streams[ev.Pad].Load(); s != nil {
				if err := e.drain(int(ev.Fd), s, buf); err != nil {
					unix.EpollCtl(set, unix.EPOLL_CTL_DEL, int(ev.Fd), nil)
					e.streams[ev.Pad].Store(nil)
					r.end(s, err)
				}
			}
		}
	}
}

// drain reads what the socket holds: edge-triggered, a read that fills the
// buffer may have left more.
func (e *epollReaders) drain(fd int, s *sseStream, buf []byte) error {
	for {
		k, err := unix.Read(fd, buf)
		s.now = time.Now()
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN:
			return nil
		case err != nil:
			return os.NewSyscallError("read", err)
		case k == 0:
			return errServerClosed
		}
		if err := s.consume(buf[:k], s.event); err != nil || k < len(buf) {
			return err
		}
	}
}

// wait returns once the readers stopped at the deadline; it is called once
// every client is added or failed, so the streams still open end here.
func (e *epollReaders) wait() {
	e.reading.Wait()
	for i := range e.streams {
		if s := e.streams[i].Swap(nil); s != nil {
			e.run.end(s, nil)
		}
	}
}

// close closes every socket and set, after the run's last memory sample.
func (e *epollReaders) close() {
	for _, fd := range e.fds {
		if fd > 0 {
			unix.Close(fd)
		}
	}
	for _, f := range e.files {
		f.Close()
	}
}
