//go:build linux

// Command floor is the broadcast benchmark's floor: the broadcast server's
// work with no framework at all, so that what the kernel alone costs is
// measured in the same run as the real one. Each worker process shares one
// listening socket, accepts with accept4 from its own epoll set, answers a
// request with the same event-stream head as servers/broadcast, and once a
// second writes the same event bytes to each of its streams with one
// write(2), from a loop over a plain slice. Nothing is buffered: a stream
// whose socket cannot take the whole event is closed. It takes the
// broadcast server's command line:
//
//	WM_ADDR=127.0.0.1:8080 WM_COUNT=2 floor start
//
// and its environment: WM_ADDR, WM_COUNT, WM_START_AFTER and WM_SPREAD as
// servers/broadcast reads them, and WM_CPUPROFILE=FILE for a CPU profile of
// each worker process's first WM_CPUPROFILE_FOR (10s), written to
// FILE.<pid>.
package main

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"strconv"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// The bytes servers/broadcast answers a stream request with.
const streamHead = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: keep-alive\r\n\r\n"

// childEnv holds a worker process's slot, 0..WM_COUNT-1.
const childEnv = "FLOOR_WORKER"

func main() {
	if slot, ok := os.LookupEnv(childEnv); ok {
		if err := serve(slot); err != nil {
			fmt.Fprintln(os.Stderr, "floor worker:", err)
			os.Exit(1)
		}
		return
	}
	if err := master(); err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}

// master listens, starts WM_COUNT worker processes sharing the socket, and
// stops them on SIGTERM or SIGINT.
func master() error {
	count, err := strconv.Atoi(env("WM_COUNT", "1"))
	if err != nil || count < 1 {
		return fmt.Errorf("WM_COUNT must be a positive number")
	}
	ln, err := net.Listen("tcp", env("WM_ADDR", "127.0.0.1:8080"))
	if err != nil {
		return err
	}
	f, err := ln.(*net.TCPListener).File()
	if err != nil {
		return err
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	var workers []*exec.Cmd
	for i := range count {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d", childEnv, i))
		cmd.ExtraFiles = []*os.File{f} // descriptor 3
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Start(); err != nil {
			return err
		}
		workers = append(workers, cmd)
	}
	fmt.Printf("floor: %d worker processes on %s\n", count, ln.Addr())
	<-stop
	for _, w := range workers {
		w.Process.Signal(syscall.SIGTERM)
	}
	for _, w := range workers {
		w.Wait()
	}
	return nil
}

// A conn is one accepted socket: its request until the head is complete,
// then its place among the streams.
type conn struct {
	req    []byte
	stream int // index in streams, -1 before the head
}

// serve is one worker process, the given slot: a single thread's epoll loop.
func serve(slot string) error {
	runtime.LockOSThread()
	const lfd = 3
	if err := unix.SetNonblock(lfd, true); err != nil {
		return err
	}
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return err
	}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, lfd, &unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLEXCLUSIVE, Fd: lfd}); err != nil {
		return err
	}
	profile()

	conns := map[int32]*conn{}
	var streams []int32
	closeConn := func(fd int32) {
		c := conns[fd]
		if c.stream >= 0 {
			last := streams[len(streams)-1]
			streams[c.stream] = last
			conns[last].stream = c.stream
			streams = streams[:len(streams)-1]
		}
		delete(conns, fd)
		unix.Close(int(fd)) // leaves the epoll set with its last descriptor
	}
	startAfter, err := time.ParseDuration(env("WM_START_AFTER", "0s"))
	if err != nil {
		return fmt.Errorf("WM_START_AFTER: %w", err)
	}
	next := time.Now().Add(startAfter + time.Second)
	if os.Getenv("WM_SPREAD") == "1" {
		k, _ := strconv.Atoi(slot)
		count, _ := strconv.Atoi(env("WM_COUNT", "1"))
		next = next.Add(time.Duration(k) * time.Second / time.Duration(count))
	}
	events := make([]unix.EpollEvent, 256)
	buf := make([]byte, 64<<10)
	ev := make([]byte, 0, 64)
	for {
		wait := max(time.Until(next), 0)
		n, err := unix.EpollWait(epfd, events, int((wait+time.Millisecond-1)/time.Millisecond))
		if err != nil && err != unix.EINTR {
			return err
		}
		for _, e := range events[:max(n, 0)] {
			if e.Fd == lfd {
				for {
					fd, _, err := unix.Accept4(lfd, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
					if err != nil {
						break // EAGAIN: another process took it, or the backlog is empty
					}
					unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
					if unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, fd, &unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLRDHUP, Fd: int32(fd)}) != nil {
						unix.Close(fd)
						continue
					}
					conns[int32(fd)] = &conn{stream: -1}
				}
				continue
			}
			c := conns[e.Fd]
			if c == nil {
				continue // closed earlier in this batch
			}
			k, err := unix.Read(int(e.Fd), buf)
			if err == unix.EAGAIN {
				continue
			}
			if k <= 0 {
				closeConn(e.Fd)
				continue
			}
			if c.stream >= 0 {
				continue // a stream's client has nothing more to say
			}
			c.req = append(c.req, buf[:k]...)
			if !bytes.Contains(c.req, []byte("\r\n\r\n")) {
				continue
			}
			c.req = nil
			if w, _ := unix.Write(int(e.Fd), []byte(streamHead)); w != len(streamHead) {
				closeConn(e.Fd)
				continue
			}
			c.stream = len(streams)
			streams = append(streams, e.Fd)
		}
		if time.Now().Before(next) {
			continue
		}
		next = next.Add(time.Second)
		// The same bytes as servers/broadcast's event: the stamp is taken
		// just before the loop over the streams.
		ev = append(strconv.AppendInt(append(ev[:0], "data: ts="...), time.Now().UnixNano(), 10), "\n\n"...)
		for i := 0; i < len(streams); i++ {
			if w, _ := unix.Write(int(streams[i]), ev); w != len(ev) {
				closeConn(streams[i])
				i-- // the last stream took its place
			}
		}
	}
}

// profile writes a CPU profile of the process's first WM_CPUPROFILE_FOR
// when WM_CPUPROFILE names a file.
func profile() {
	path := os.Getenv("WM_CPUPROFILE")
	if path == "" {
		return
	}
	d, err := time.ParseDuration(env("WM_CPUPROFILE_FOR", "10s"))
	if err != nil {
		panic("WM_CPUPROFILE_FOR must be a duration such as 10s")
	}
	f, err := os.Create(fmt.Sprintf("%s.%d", path, os.Getpid()))
	if err != nil {
		panic(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		panic(err)
	}
	time.AfterFunc(d, func() {
		pprof.StopCPUProfile()
		f.Close()
	})
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
