//go:build linux

package worker_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
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
	"syscall"
	"testing"
	"time"
)

// The end-to-end tests build testdata/app once per test binary run and
// drive copies of it as a user would: start -d, curl, status, kill -9,
// reload with a rebuilt binary, stop.

var builds struct {
	sync.Mutex
	dir  string
	bins map[string]string
}

func TestMain(m *testing.M) {
	code := m.Run()
	if builds.dir != "" {
		os.RemoveAll(builds.dir)
	}
	os.Exit(code)
}

// built returns the test program compiled with main.version set to version.
func built(tb testing.TB, version string) string {
	tb.Helper()
	builds.Lock()
	defer builds.Unlock()
	if bin, ok := builds.bins[version]; ok {
		return bin
	}
	if builds.dir == "" {
		d, err := os.MkdirTemp("", "workerman-e2e-")
		if err != nil {
			tb.Fatal(err)
		}
		builds.dir, builds.bins = d, map[string]string{}
	}
	bin := filepath.Join(builds.dir, "app-"+version)
	out, err := exec.Command("go", "build", "-ldflags", "-X main.version="+version, "-o", bin, "./testdata/app").CombinedOutput()
	if err != nil {
		tb.Fatalf("build the test program: %v\n%s", err, out)
	}
	builds.bins[version] = bin
	return bin
}

// deployment is one copy of the test program in its own directory, where
// its pid, log and socket files go.
type deployment struct {
	tb   testing.TB
	dir  string
	bin  string
	addr string
	env  []string
	mu   sync.Mutex
	pids map[int]bool // every process seen, killed at cleanup
}

func deploy(tb testing.TB, count int) *deployment {
	tb.Helper()
	d := &deployment{tb: tb, dir: tb.TempDir(), addr: freeAddr(tb), pids: map[int]bool{}}
	d.bin = filepath.Join(d.dir, "app")
	d.install(built(tb, "v1"))
	d.env = append(os.Environ(), "APP_ADDR="+d.addr, "APP_COUNT="+strconv.Itoa(count), "APP_STDOUT="+filepath.Join(d.dir, "stdout.log"))
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

func freeAddr(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
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
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(b, ')')
	return i < 0 || i+2 >= len(b) || b[i+2] != 'Z'
}

var client = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}

// get asks the deployment once, on a new connection.
func (d *deployment) get() (string, error) {
	resp, err := client.Get("http://" + d.addr + "/")
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

func netListen(addr string) (net.Listener, error) { return net.Listen("tcp", addr) }

// echo sends one line to a text-protocol server and reads the answer line.
func echo(addr, line string) (string, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, line+"\n"); err != nil {
		return "", err
	}
	got, err := bufio.NewReader(c).ReadString('\n')
	return strings.TrimSuffix(got, "\n"), err
}
