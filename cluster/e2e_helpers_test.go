//go:build linux

package cluster_test

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/workerman-go/workerman/internal/nettest"
)

// The end-to-end tests build the programs they drive once per test binary
// run (testdata/app, the examples) and start them as a user would, each a
// master with its children and its own embedded NATS server unless told
// otherwise.

// buildFlags are added to every build of a program the tests drive.
var buildFlags []string

var programs nettest.Programs

func TestMain(m *testing.M) { os.Exit(nettest.Run(m, &programs)) }

// built compiles the package at pkg (relative to the module) once.
func built(tb testing.TB, pkg string) string {
	tb.Helper()
	return programs.Build(tb, pkg, buildFlags...)
}

// freePort is a loopback port nothing listens on right now.
func freePort(tb testing.TB) int {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// instance is one running master of a program.
type instance struct {
	tb   testing.TB
	addr string
	dir  string
	cmd  *exec.Cmd
	out  *os.File
}

// start runs bin's master in the foreground with env added, on a fresh
// port in APP_LISTEN, and waits until it accepts. The master (and through
// it its children) is stopped at cleanup.
func start(tb testing.TB, bin string, env ...string) *instance {
	tb.Helper()
	dir := tb.TempDir()
	// A copy of its own, so that its pid and log files (beside it) are its own.
	copied := filepath.Join(dir, filepath.Base(bin))
	if err := exec.Command("cp", bin, copied).Run(); err != nil {
		tb.Fatal(err)
	}
	bin = copied
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(tb))
	out, err := os.Create(filepath.Join(dir, "out"))
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(bin, "start")
	cmd.Env = append(os.Environ(), "APP_LISTEN="+addr, "CHAT_LISTEN="+addr, "NOTIFY_LISTEN="+addr)
	cmd.Env = append(cmd.Env, env...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	in := &instance{tb: tb, addr: addr, dir: dir, cmd: cmd, out: out}
	tb.Cleanup(in.stop)
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return in
		}
		if time.Now().After(deadline) || in.exited() {
			tb.Fatalf("%s did not start on %s:\n%s", bin, addr, in.output())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (in *instance) exited() bool {
	return in.cmd.ProcessState != nil || syscall.Kill(in.cmd.Process.Pid, 0) != nil
}

func (in *instance) output() string {
	b, _ := os.ReadFile(in.out.Name())
	return string(b)
}

// stop ends the master with SIGINT, which stops its children first, and
// kills it if it does not end in time.
func (in *instance) stop() {
	if in.cmd.ProcessState != nil {
		return
	}
	in.cmd.Process.Signal(syscall.SIGINT)
	done := make(chan struct{})
	go func() { in.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		in.cmd.Process.Kill()
		<-done
	}
	in.out.Close()
	if out := in.output(); strings.Contains(out, "WARNING: DATA RACE") {
		in.tb.Errorf("the program reported a data race:\n%s", out)
	}
}

// run runs one command of the program (status, reload ...) against in.
func (in *instance) run(args ...string) string {
	in.tb.Helper()
	cmd := exec.Command(in.cmd.Path, args...)
	cmd.Env = in.cmd.Env
	cmd.Dir = in.dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		in.tb.Fatalf("%v: %v\n%s", args, err, out)
	}
	return string(out)
}

// wsClient is one WebSocket client of testdata/app.
type wsClient struct {
	conn *websocket.Conn
	in   chan string
	held []string // deliveries read while waiting for an answer
	pid  int
	id   string // its cluster client id
}

func dialApp(tb testing.TB, addr string) *wsClient {
	tb.Helper()
	conn, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/", nil)
	if err != nil {
		tb.Fatal(err)
	}
	c := &wsClient{conn: conn, in: make(chan string, 1024)}
	tb.Cleanup(func() { conn.Close() })
	go func() {
		defer close(c.in)
		for {
			_, b, err := conn.ReadMessage()
			if err != nil {
				return
			}
			c.in <- string(b)
		}
	}()
	a := c.do(tb, map[string]any{"op": "whoami"})
	c.pid, c.id = a.PID, a.Client
	return c
}

type appAnswer struct {
	Op     string `json:"op"`
	PID    int    `json:"pid"`
	Client string `json:"client"`
	N      int    `json:"n"`
	Err    string `json:"err"`
}

// do sends a command and returns its answer, skipping deliveries.
func (c *wsClient) do(tb testing.TB, cmd map[string]any) appAnswer {
	tb.Helper()
	b, _ := json.Marshal(cmd)
	if err := c.conn.WriteMessage(websocket.TextMessage, b); err != nil {
		tb.Fatal(err)
	}
	for {
		m := c.read(tb)
		if !strings.HasPrefix(m, "{") {
			c.held = append(c.held, m) // a delivery: for expect
			continue
		}
		var a appAnswer
		if err := json.Unmarshal([]byte(m), &a); err != nil {
			tb.Fatal(err)
		}
		if a.Op == cmd["op"] {
			return a
		}
	}
}

// ok is do for commands that must not fail.
func (c *wsClient) ok(tb testing.TB, cmd map[string]any) appAnswer {
	tb.Helper()
	a := c.do(tb, cmd)
	if a.Err != "" {
		tb.Fatalf("%v: %s", cmd, a.Err)
	}
	return a
}

// next is the next message, within a bound that only a broken program
// reaches.
func (c *wsClient) next(tb testing.TB) string {
	tb.Helper()
	if len(c.held) > 0 {
		m := c.held[0]
		c.held = c.held[1:]
		return m
	}
	return c.read(tb)
}

func (c *wsClient) read(tb testing.TB) string {
	tb.Helper()
	select {
	case m, ok := <-c.in:
		if !ok {
			tb.Fatal("connection closed")
		}
		return m
	case <-time.After(10 * time.Second):
		tb.Fatal("no message within 10s")
	}
	return ""
}

// expect reads until want arrives, skipping command answers.
func (c *wsClient) expect(tb testing.TB, want string) {
	tb.Helper()
	for {
		m := c.next(tb)
		if m == want {
			return
		}
		if !strings.HasPrefix(m, "{") {
			tb.Fatalf("got %q, want %q", m, want)
		}
	}
}

// spread dials clients until they sit in at least procs processes, and
// returns one per process (bounded: the kernel spreads accepts among the
// children).
func spread(tb testing.TB, addr string, procs int) []*wsClient {
	tb.Helper()
	seen := map[int]*wsClient{}
	var out []*wsClient
	for i := 0; i < 200 && len(out) < procs; i++ {
		c := dialApp(tb, addr)
		if seen[c.pid] == nil {
			seen[c.pid] = c
			out = append(out, c)
		} else {
			c.conn.Close()
		}
	}
	if len(out) < procs {
		tb.Fatalf("clients reached %d processes, want %d", len(out), procs)
	}
	return out
}

// waitCount asks c's process for a count (or an online check) until it is
// want, bounded. A count adds up the answers that arrive within QueryTimeout,
// so on a loaded machine one process's answer may miss a query and the next
// one counts it; and interest spreads between servers asynchronously.
func waitCount(t *testing.T, c *wsClient, op, name string, want int) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		a := c.do(t, map[string]any{"op": op, "name": name})
		if a.Err == "" && a.N == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s %s = %d (%s), want %d", op, name, a.N, a.Err, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
