package eventloop

import (
	"context"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"net"
)

// Running out of descriptors is tried in a child process of its own: the
// test lowers its descriptor limit and fills the table, which nothing else
// may share.
const emfileEnv = "EVENTLOOP_TEST_EMFILE_BACKEND"

func TestAListenerOutOfDescriptorsBacksOffAndLogsOnce(t *testing.T) {
	for _, b := range []Backend{Epoll, Portable} {
		t.Run(string(b), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestOutOfDescriptorsChild$", "-test.v", "-test.count=1")
			cmd.Env = append(os.Environ(), emfileEnv+"="+string(b))
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(out), "--- PASS: TestOutOfDescriptorsChild") {
				t.Fatalf("child: %v\n%s", err, out)
			}
		})
	}
}

// countingHandler keeps the records of one message.
type countingHandler struct {
	msg  string
	mu   sync.Mutex
	errs []string
}

func (h *countingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *countingHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *countingHandler) WithGroup(string) slog.Handler            { return h }
func (h *countingHandler) Handle(_ context.Context, r slog.Record) error {
	if r.Message != h.msg {
		return nil
	}
	line := ""
	r.Attrs(func(a slog.Attr) bool {
		line += a.Key + "=" + a.Value.String() + " "
		return true
	})
	h.mu.Lock()
	h.errs = append(h.errs, line)
	h.mu.Unlock()
	return nil
}

func (h *countingHandler) lines() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.errs...)
}

func TestOutOfDescriptorsChild(t *testing.T) {
	b := Backend(os.Getenv(emfileEnv))
	if b == "" {
		t.Skip("runs only as the child of TestAListenerOutOfDescriptorsBacksOffAndLogsOnce")
	}
	logged := &countingHandler{msg: "workerman: accept"}
	slog.SetDefault(slog.New(logged))
	l := newLoop(b)
	if err := l.Acquire(); err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	var conns []*Conn
	ln, addr := listenOn(t, l, true, nil, func(c *Conn) {
		c.SetHandler(&probe{})
		c.Write([]byte("in"))
		conns = append(conns, c)
	})
	peer, err := net.Dial("tcp", addr) // waits in the backlog
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()

	fill := exhaustDescriptors(t)
	l.Exec(ln.Resume)
	// The listener stays readable; it must neither spin nor log on every
	// retry (every 100 ms on epoll, 10 ms on portable).
	if b == Epoll {
		eventually(t, l, "three retries", func() bool {
			return ln.io.(*fdListener).errLog.suppressed >= 3
		})
	} else {
		time.Sleep(300 * time.Millisecond)
	}
	lines := logged.lines()
	for _, fd := range fill {
		syscall.Close(fd)
	}
	if len(lines) != 1 || !strings.Contains(lines[0], "too many open files") {
		t.Fatalf("accept log lines while out of descriptors: %q; want one", lines)
	}
	eventually(t, l, "the accept once descriptors are back", func() bool { return len(conns) == 1 })
	if got := string(readN(t, peer, 2)); got != "in" {
		t.Fatalf("the connection accepted after the back-off answered %q", got)
	}
}

// exhaustDescriptors lowers the process's descriptor limit to a little above
// what it uses and takes every descriptor left; the caller closes them.
func exhaustDescriptors(t *testing.T) []int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	lim := syscall.Rlimit{Cur: uint64(len(entries) + 16), Max: 0}
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &old); err != nil {
		t.Fatal(err)
	}
	lim.Max = old.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	var fill []int
	for {
		fd, err := syscall.Dup(0)
		if err == syscall.EMFILE {
			return fill
		}
		if err != nil {
			t.Fatal(err)
		}
		fill = append(fill, fd)
	}
}
