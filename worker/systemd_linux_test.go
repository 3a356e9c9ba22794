package worker_test

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// systemd's side of its protocols, played by the test: a notify socket that
// reads what the master says, and listening sockets handed to the master as
// systemd hands them (from fd 3 on, LISTEN_PID naming the process, which a
// shell that execs the program knows as $$).

// notifySocket is systemd's end of NOTIFY_SOCKET.
type notifySocket struct {
	tb   testing.TB
	conn *net.UnixConn
	msgs chan []string
}

func listenNotify(tb testing.TB, name string) *notifySocket {
	tb.Helper()
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { conn.Close() })
	n := &notifySocket{tb: tb, conn: conn, msgs: make(chan []string, 1024)}
	go func() {
		defer close(n.msgs)
		buf := make([]byte, 4096)
		for {
			k, err := conn.Read(buf)
			if err != nil {
				return
			}
			n.msgs <- strings.Split(strings.TrimSuffix(string(buf[:k]), "\n"), "\n")
		}
	}()
	return n
}

// next is the next notification but the watchdog's pings; pinged counts
// those it passed.
func (n *notifySocket) next(pinged *int) []string {
	n.tb.Helper()
	for {
		select {
		case m, ok := <-n.msgs:
			if !ok {
				n.tb.Fatal("notify socket closed")
			}
			if slices.Equal(m, []string{"WATCHDOG=1"}) {
				*pinged++
				continue
			}
			return m
		case <-time.After(20 * time.Second):
			n.tb.Fatal("no notification within 20s")
		}
	}
}

func (n *notifySocket) expect(pinged *int, first string) []string {
	n.tb.Helper()
	m := n.next(pinged)
	if m[0] != first {
		n.tb.Fatalf("notification %q, want %s first", m, first)
	}
	return m
}

func TestSystemdNotify(t *testing.T) {
	for _, abstract := range []bool{false, true} {
		t.Run(fmt.Sprintf("abstract=%v", abstract), func(t *testing.T) {
			d := deploy(t, 2)
			name := filepath.Join(d.dir, "notify")
			if abstract {
				name = fmt.Sprintf("@workerman-test-%d-%d", os.Getpid(), time.Now().UnixNano())
			}
			n := listenNotify(t, name)
			cmd := exec.Command("sh", "-c", `WATCHDOG_PID=$$ exec ./app start`)
			cmd.Dir = d.dir
			cmd.Env = append(d.env, "NOTIFY_SOCKET="+name, "WATCHDOG_USEC=200000")
			app := startBackground(t, cmd)
			master := cmd.Process.Pid
			d.mu.Lock()
			d.pids[master] = true
			d.mu.Unlock()
			pinged := 0

			ready := n.expect(&pinged, "READY=1")
			if !slices.Contains(ready, "STATUS=2 worker processes serve") {
				t.Errorf("READY=1 came with %q", ready)
			}
			if _, err := d.get(); err != nil { // READY=1 only once every child serves
				t.Fatalf("GET after READY=1: %v", err)
			}
			before := d.status().Processes
			for _, p := range before {
				if env, _ := os.ReadFile("/proc/" + strconv.Itoa(p.PID) + "/environ"); strings.Contains(string(env), "NOTIFY_SOCKET") {
					t.Errorf("child %d got NOTIFY_SOCKET", p.PID)
				}
			}

			syscall.Kill(master, syscall.SIGUSR1)
			m := n.expect(&pinged, "RELOADING=1")
			var now unix.Timespec
			unix.ClockGettime(unix.CLOCK_MONOTONIC, &now)
			if len(m) != 2 || !strings.HasPrefix(m[1], "MONOTONIC_USEC=") {
				t.Fatalf("RELOADING=1 came as %q", m)
			}
			if usec, err := strconv.ParseInt(strings.TrimPrefix(m[1], "MONOTONIC_USEC="), 10, 64); err != nil || usec <= 0 || usec > now.Nano()/1000 {
				t.Errorf("%s: not a CLOCK_MONOTONIC time before %d", m[1], now.Nano()/1000)
			}
			n.expect(&pinged, "READY=1")
			for _, p := range d.status().Processes { // every child was replaced by then
				for _, old := range before {
					if p.PID == old.PID {
						t.Errorf("child %d still there after READY=1", p.PID)
					}
				}
			}
			for pinged == 0 {
				select {
				case m := <-n.msgs:
					if !slices.Equal(m, []string{"WATCHDOG=1"}) {
						t.Fatalf("unexpected %q", m)
					}
					pinged++
				case <-time.After(20 * time.Second):
					t.Fatal("no WATCHDOG=1 within 20s")
				}
			}

			syscall.Kill(master, syscall.SIGTERM)
			n.expect(&pinged, "STOPPING=1")
			if err := app.wait(20 * time.Second); err != nil {
				t.Fatalf("master: %v\n%s", err, app.out)
			}
		})
	}
}

// listenActivated is a listening socket as systemd holds it for a .socket
// unit: the test keeps it open across the program's runs.
func listenActivated(t *testing.T) (*os.File, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	f, err := ln.(*net.TCPListener).File()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f, ln.Addr().String()
}

// startActivated starts the program in the foreground with fs as systemd's
// sockets, from fd 3 on.
func (d *deployment) startActivated(fs []*os.File, env ...string) *background {
	d.tb.Helper()
	cmd := exec.Command("sh", "-c", `LISTEN_PID=$$ exec ./app start`)
	cmd.Dir = d.dir
	cmd.Env = append(append(d.env, "LISTEN_FDS="+strconv.Itoa(len(fs))), env...)
	cmd.ExtraFiles = fs
	app := startBackground(d.tb, cmd)
	d.mu.Lock()
	d.pids[cmd.Process.Pid] = true
	d.mu.Unlock()
	if !app.out.waitFor("Start success.", 1, app.exited, 30*time.Second) {
		d.tb.Fatalf("start: %s", app.out)
	}
	return app
}

// holds reports whether process pid has the socket of f open.
func holds(tb testing.TB, pid int, f *os.File) bool {
	tb.Helper()
	// The descriptor without f.Fd(), which would put the socket the
	// program accepts on in blocking mode.
	rc, err := f.SyscallConn()
	if err != nil {
		tb.Fatal(err)
	}
	var want string
	if cerr := rc.Control(func(fd uintptr) { want, err = os.Readlink(fmt.Sprintf("/proc/self/fd/%d", fd)) }); cerr != nil || err != nil {
		tb.Fatal(cerr, err)
	}
	dir := fmt.Sprintf("/proc/%d/fd", pid)
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if got, _ := os.Readlink(filepath.Join(dir, e.Name())); got == want {
			return true
		}
	}
	return false
}

func TestSocketActivation(t *testing.T) {
	t.Run("by name", func(t *testing.T) {
		// The worker is told another address: that it serves on systemd's
		// socket, and that nothing listens on its own address, shows it
		// took the socket and bound nothing.
		d := deploy(t, 2)
		f, addr := listenActivated(t)
		own := d.addr
		d.addr = addr
		app := d.startActivated([]*os.File{f}, "LISTEN_FDNAMES=web")
		if got, err := d.get(); err != nil || !strings.HasPrefix(got, "v1 ") {
			t.Fatalf("GET on systemd's socket: %q, %v\n%s", got, err, app.out)
		}
		if c, err := net.Dial("tcp", own); err == nil {
			c.Close()
			t.Errorf("%s, the worker's own address, accepts: the master bound it", own)
		}
		for _, p := range d.status().Processes {
			if !holds(t, p.PID, f) {
				t.Errorf("child %d has not systemd's socket", p.PID)
			}
		}

		// A restart: while no process runs, systemd's socket queues the
		// client, which the next master's children answer.
		syscall.Kill(app.cmd.Process.Pid, syscall.SIGTERM)
		if err := app.wait(20 * time.Second); err != nil {
			t.Fatalf("stop: %v\n%s", err, app.out)
		}
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("dial while stopped: %v", err)
		}
		defer c.Close()
		fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		d.startActivated([]*os.File{f}, "LISTEN_FDNAMES=web")
		c.SetReadDeadline(time.Now().Add(20 * time.Second))
		line, err := bufio.NewReader(c).ReadString('\n')
		if err != nil || !strings.HasPrefix(line, "HTTP/1.1 200") {
			t.Fatalf("the queued request: %q, %v", line, err)
		}
	})
	t.Run("by address", func(t *testing.T) {
		// The worker's address is systemd's socket's, which the master
		// could not bind while the test holds it.
		d := deploy(t, 1)
		f, addr := listenActivated(t)
		d.addr = addr
		d.env = append(d.env, "APP_ADDR="+addr)
		app := d.startActivated([]*os.File{f}, "LISTEN_FDNAMES=app.socket")
		if got, err := d.get(); err != nil || !strings.HasPrefix(got, "v1 ") {
			t.Fatalf("GET on systemd's socket: %q, %v\n%s", got, err, app.out)
		}
		if !holds(t, app.cmd.Process.Pid, f) {
			t.Error("the master has not systemd's socket")
		}
	})
	t.Run("unix socket, and one of no worker's", func(t *testing.T) {
		// The socket file is systemd's: the master serves on it and leaves
		// it in place when it stops. A socket that no worker takes is
		// logged and closed.
		d := deploy(t, 1)
		path := filepath.Join(d.dir, "app.sock")
		ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
		if err != nil {
			t.Fatal(err)
		}
		ln.SetUnlinkOnClose(false)
		unixFile, err := ln.File()
		ln.Close()
		if err != nil {
			t.Fatal(err)
		}
		defer unixFile.Close()
		spare, _ := listenActivated(t)
		d.env = append(d.env, "APP_UNIX="+path)
		app := d.startActivated([]*os.File{unixFile, spare}, "LISTEN_FDNAMES=app.socket:spare")
		c, err := net.Dial("unix", path)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fmt.Fprintf(c, "hello\n")
		c.SetReadDeadline(time.Now().Add(20 * time.Second))
		if line, err := bufio.NewReader(c).ReadString('\n'); err != nil || !strings.HasPrefix(line, "v1 ") {
			t.Fatalf("on systemd's unix socket: %q, %v\n%s", line, err, app.out)
		}
		master := app.cmd.Process.Pid
		if holds(t, master, spare) {
			t.Error("the master keeps the socket no worker took")
		}
		if log, _ := os.ReadFile(filepath.Join(d.dir, "workerman.log")); !strings.Contains(string(log), "passed by systemd is no worker's socket") {
			t.Errorf("the spare socket is not logged:\n%s", log)
		}
		syscall.Kill(master, syscall.SIGTERM)
		if err := app.wait(20 * time.Second); err != nil {
			t.Fatalf("stop: %v\n%s", err, app.out)
		}
		if _, err := os.Stat(path); err != nil {
			t.Errorf("the master removed systemd's socket file: %v", err)
		}
	})
	t.Run("absent", func(t *testing.T) {
		// LISTEN_PID names another process: the sockets are not ours, and
		// the worker binds its own address.
		d := deploy(t, 1)
		cmd := exec.Command("./app", "start")
		cmd.Dir = d.dir
		cmd.Env = append(d.env, "LISTEN_PID=1", "LISTEN_FDS=1")
		app := startBackground(t, cmd)
		d.mu.Lock()
		d.pids[cmd.Process.Pid] = true
		d.mu.Unlock()
		if !app.out.waitFor("Start success.", 1, app.exited, 30*time.Second) {
			t.Fatalf("start: %s", app.out)
		}
		if _, err := d.get(); err != nil {
			t.Fatal(err)
		}
	})
}
