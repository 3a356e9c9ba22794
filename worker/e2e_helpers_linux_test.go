package worker_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/workerman-go/workerman/internal/nettest"
)

// The end-to-end tests build testdata/app once per test binary run and
// drive copies of it as a user would: start -d, curl, status, an event
// stream held open, kill -9, reload with a rebuilt binary, stop -g. They
// also run examples/sse with go run.

var programs nettest.Programs

func TestMain(m *testing.M) { os.Exit(nettest.Run(m, &programs)) }

// built returns the test program compiled with main.version set to version.
func built(tb testing.TB, version string) string {
	tb.Helper()
	return programs.Build(tb, "./testdata/app", "-ldflags", "-X main.version="+version)
}

// deployment is one copy of the test program in its own directory, where
// its pid, log and socket files go.
type deployment struct {
	tb   testing.TB
	dir  string
	bin  string
	addr string
	env  []string
	// scheme and client are what get asks with: plain HTTP unless useTLS.
	scheme string
	client *http.Client
	mu     sync.Mutex
	pids   map[int]bool // every process seen, killed at cleanup
}

// deploy skips in -short mode: it builds and runs a program.
func deploy(tb testing.TB, count int) *deployment {
	tb.Helper()
	if testing.Short() {
		tb.Skip("builds and runs a program")
	}
	d := &deployment{tb: tb, dir: tb.TempDir(), addr: nettest.FreeAddr(tb), pids: map[int]bool{}}
	d.bin = filepath.Join(d.dir, "app")
	d.scheme, d.client = "http", client
	d.install(built(tb, "v1"))
	d.env = append(os.Environ(), "APP_ADDR="+d.addr, "APP_COUNT="+strconv.Itoa(count), "APP_STDOUT="+filepath.Join(d.dir, "stdout.log"), "APP_SSE_EVERY=50ms")
	tb.Cleanup(d.teardown)
	return d
}

// install puts bin in place the way a deploy does: a new file renamed over
// the old one, which running processes keep.
func (d *deployment) install(bin string) {
	d.tb.Helper()
	b, err := os.ReadFile(bin)
	if err != nil {
		d.tb.Fatal(err)
	}
	tmp := d.bin + ".new"
	if err := os.WriteFile(tmp, b, 0o755); err != nil {
		d.tb.Fatal(err)
	}
	if err := os.Rename(tmp, d.bin); err != nil {
		d.tb.Fatal(err)
	}
}

func (d *deployment) command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "./app", args...)
	cmd.Dir, cmd.Env = d.dir, d.env
	return cmd
}

// run runs a command of the program and returns its output.
func (d *deployment) run(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := d.command(ctx, args...).CombinedOutput()
	d.notePids()
	return string(out), err
}

func (d *deployment) mustRun(args ...string) string {
	d.tb.Helper()
	out, err := d.run(args...)
	if err != nil {
		d.tb.Fatalf("./app %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func (d *deployment) masterPid() int {
	b, err := os.ReadFile(filepath.Join(d.dir, "workerman.app.pid"))
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid
}

type process struct {
	PID  int  `json:"pid"`
	ID   int  `json:"id"`
	Busy bool `json:"busy"`

	Connections   int64  `json:"connections"`
	Timers        int    `json:"timers"`
	TotalRequests uint64 `json:"total_request"`
}

type status struct {
	Workers []struct {
		Name  string `json:"name"`
		Exits []struct {
			Status int `json:"status"`
			Count  int `json:"count"`
		} `json:"exits"`
	} `json:"workers"`
	Processes []process `json:"processes"`
}

func (d *deployment) status() status {
	d.tb.Helper()
	var s status
	if err := json.Unmarshal([]byte(d.mustRun("status", "--json")), &s); err != nil {
		d.tb.Fatal(err)
	}
	d.mu.Lock()
	for _, p := range s.Processes {
		d.pids[p.PID] = true
	}
	d.mu.Unlock()
	return s
}

// notePids remembers the master, so that cleanup can kill it by pid.
func (d *deployment) notePids() {
	if pid := d.masterPid(); pid != 0 {
		d.mu.Lock()
		d.pids[pid] = true
		d.mu.Unlock()
	}
}

// waitStatus polls status until ok accepts it.
func (d *deployment) waitStatus(what string, ok func(status) bool) status {
	d.tb.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		s := d.status()
		if ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			d.tb.Fatalf("status never showed %s; last: %+v", what, s)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (d *deployment) teardown() {
	if d.masterPid() != 0 && alive(d.masterPid()) {
		d.run("stop")
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for pid := range d.pids {
		if alive(pid) {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// alive reports whether pid runs (a zombie does not).
func alive(pid int) bool {
	fs := procFields(pid)
	return len(fs) > 0 && fs[0] != "Z"
}

// procFields are the fields of /proc/{pid}/stat that follow the command
// name (state, parent pid, ...), or nil when there is no such process.
func procFields(pid int) []string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return nil
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return nil
	}
	return strings.Fields(string(b[i+1:]))
}

var client = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}

// get asks the deployment once, on a new connection.
func (d *deployment) get() (string, error) {
	resp, err := d.client.Get(d.scheme + "://" + d.addr + "/")
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("status %d: %s", resp.StatusCode, b)
	}
	return string(b), nil
}

// keepAlive is a raw HTTP/1.1 client holding one connection open.
type keepAlive struct {
	net.Conn
	buf []byte
}

func dialKeepAlive(tb testing.TB, addr string) *keepAlive {
	tb.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	return &keepAlive{Conn: c, buf: make([]byte, 4096)}
}

// ask sends one request on the connection and returns the response body.
func (k *keepAlive) ask() (string, error) {
	k.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(k, "GET / HTTP/1.1\r\nHost: test\r\n\r\n"); err != nil {
		return "", err
	}
	var got []byte
	for {
		n, err := k.Read(k.buf)
		got = append(got, k.buf[:n]...)
		if head, body, ok := bytes.Cut(got, []byte("\r\n\r\n")); ok {
			if i := bytes.Index(bytes.ToLower(head), []byte("content-length: ")); i >= 0 {
				rest := head[i+len("content-length: "):]
				if j := bytes.IndexByte(rest, '\r'); j >= 0 {
					rest = rest[:j]
				}
				if n, _ := strconv.Atoi(string(rest)); len(body) >= n {
					return string(body[:n]), nil
				}
			}
		}
		if err != nil {
			return "", err
		}
	}
}

// field returns the value of "name=" in an answer of the test program.
func field(answer, name string) string {
	for _, f := range strings.Fields(answer) {
		if v, ok := strings.CutPrefix(f, name+"="); ok {
			return v
		}
	}
	return ""
}

// rawClient is a socket that a test speaks HTTP on by hand: its request,
// then what it reads of the answer.
type rawClient struct {
	net.Conn
	r *bufio.Reader
}

// dialRaw connects to addr, sends request and reads the response head; the
// connection closes when the test ends.
func dialRaw(tb testing.TB, addr, request string) (c rawClient, head string) {
	tb.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { conn.Close() })
	c = rawClient{Conn: conn, r: bufio.NewReader(conn)}
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(conn, request); err != nil {
		tb.Fatal(err)
	}
	var b strings.Builder
	for {
		line, err := c.r.ReadString('\n')
		b.WriteString(line)
		if err != nil {
			tb.Fatalf("response head: %v (got %q)", err, b.String())
		}
		if line == "\r\n" {
			return c, b.String()
		}
	}
}

// eventStream is a raw client of an event stream: it asks with
// Accept: text/event-stream and reads the events as they come.
type eventStream struct{ rawClient }

// dialEvents opens an event stream at addr and reads the response head.
func dialEvents(tb testing.TB, addr string) *eventStream {
	tb.Helper()
	c, h := dialRaw(tb, addr, "GET / HTTP/1.1\r\nHost: test\r\nAccept: text/event-stream\r\n\r\n")
	if !strings.HasPrefix(h, "HTTP/1.1 200 ") || !strings.Contains(h, "\r\nContent-Type: text/event-stream\r\n") {
		tb.Fatalf("not an event stream:\n%s", h)
	}
	return &eventStream{c}
}

// next reads one event and returns its data; it waits at most 5 s.
func (s *eventStream) next() (string, error) {
	s.SetDeadline(time.Now().Add(5 * time.Second))
	var data []string
	for {
		line, err := s.r.ReadString('\n')
		if err != nil {
			return "", fmt.Errorf("reading an event: %w (got %q)", err, line)
		}
		line = strings.TrimSuffix(line, "\n")
		if line == "" && data != nil {
			return strings.Join(data, "\n"), nil
		}
		if v, ok := strings.CutPrefix(line, "data: "); ok {
			data = append(data, v)
		}
	}
}

// curlGet fetches url with curl, as a user checks a server by hand.
func curlGet(url string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "curl", "--silent", "--show-error", "--fail", "--max-time", "5", url)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("curl %s: %w: %s", url, err, stderr.String())
	}
	return string(out), nil
}

// childrenOf lists the processes whose parent is pid.
func childrenOf(pid int) []int {
	entries, _ := os.ReadDir("/proc")
	var kids []int
	for _, e := range entries {
		kid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if fs := procFields(kid); len(fs) > 1 && fs[1] == strconv.Itoa(pid) {
			kids = append(kids, kid)
		}
	}
	return kids
}

// output collects what a command prints and lets a test wait for a text in
// it while the command runs.
type output struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{} // closed, and replaced, on each write
}

func newOutput() *output { return &output{changed: make(chan struct{})} }

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	close(o.changed)
	o.changed = make(chan struct{})
	return o.buf.Write(p)
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// waitFor waits until text appears n times in the output. It gives up,
// returning false, when exited closes first or after limit.
func (o *output) waitFor(text string, n int, exited <-chan struct{}, limit time.Duration) bool {
	deadline := time.After(limit)
	for {
		o.mu.Lock()
		found := strings.Count(o.buf.String(), text) >= n
		changed := o.changed
		o.mu.Unlock()
		if found {
			return true
		}
		select {
		case <-changed:
		case <-exited:
			return strings.Count(o.String(), text) >= n
		case <-deadline:
			return false
		}
	}
}

// background is a command started by a test and killed by its pid at
// cleanup if it still runs.
type background struct {
	cmd    *exec.Cmd
	out    *output
	exited chan struct{} // closed once it has been waited for
	err    error         // its exit, once exited is closed
}

func startBackground(tb testing.TB, cmd *exec.Cmd) *background {
	tb.Helper()
	b := &background{cmd: cmd, out: newOutput(), exited: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = b.out, b.out
	cmd.WaitDelay = 5 * time.Second // processes it started may hold its output open
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	go func() {
		b.err = cmd.Wait()
		close(b.exited)
	}()
	tb.Cleanup(func() {
		select {
		case <-b.exited:
		default:
			cmd.Process.Kill()
			<-b.exited
		}
	})
	return b
}

// errStillRuns is a background command that did not end in time.
var errStillRuns = errors.New("still runs")

// wait waits, at most limit, for the command to end and returns how it
// ended, or errStillRuns.
func (b *background) wait(limit time.Duration) error {
	select {
	case <-b.exited:
		return b.err
	case <-time.After(limit):
		return fmt.Errorf("%w after %s", errStillRuns, limit)
	}
}

// lockSeedPort waits until no other test runs examples/sse, whose port 8080
// is fixed, and keeps them off until t ends: the tests that run it hold an
// exclusive lock on the example's source file meanwhile.
func lockSeedPort(t *testing.T) {
	t.Helper()
	src, err := os.Open(filepath.Join("..", "examples", "sse", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() }) // releases the lock
	if err := syscall.Flock(int(src.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatalf("lock %s: %v", src.Name(), err)
	}
}

// reloadUnderLoad runs reload while one client asks without pause, each
// request on a new connection, until every process is a new one. It returns
// how many requests succeeded and failed, and the last failure.
func (d *deployment) reloadUnderLoad(limit int) (ok, failed int64, lastErr string) {
	old := d.status()
	var oks, fails atomic.Int64
	var last atomic.Value
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for n := 0; n < limit; n++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := d.get(); err != nil {
				fails.Add(1)
				last.Store(err.Error())
			} else {
				oks.Add(1)
			}
		}
	})
	d.mustRun("reload")
	d.waitStatus("every process replaced", func(s status) bool {
		if len(s.Processes) != len(old.Processes) {
			return false
		}
		for _, p := range s.Processes {
			for _, o := range old.Processes {
				if p.Busy || p.PID == o.PID {
					return false
				}
			}
		}
		return true
	})
	close(stop)
	wg.Wait()
	lastErr, _ = last.Load().(string)
	return oks.Load(), fails.Load(), lastErr
}
