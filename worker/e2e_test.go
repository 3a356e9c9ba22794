//go:build linux

package worker_test

import (
	"context"
	"fmt"
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
)

// TestProgramLifecycle walks one deployment through what an operator does:
// each step builds on the one before.
func TestProgramLifecycle(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a program")
	}
	d := deploy(t, 2)

	t.Run("stop when nothing runs fails and says so", func(t *testing.T) {
		out, err := d.run("stop")
		if err == nil || !strings.Contains(out, "Workerman[app] not run") {
			t.Fatalf("stop: err %v, output:\n%s", err, out)
		}
	})

	t.Run("start -d returns once every process serves", func(t *testing.T) {
		out := d.mustRun("start", "-d")
		for _, want := range []string{"Workerman[app] start in DAEMON mode", "WORKERS", "http://" + d.addr, `Input "./app stop" to stop. Start success.`} {
			if !strings.Contains(out, want) {
				t.Errorf("start output lacks %q:\n%s", want, out)
			}
		}
		if d.masterPid() == 0 {
			t.Fatal("no pid file after start -d")
		}
		if ans, err := d.get(); err != nil || !strings.HasPrefix(ans, "v1 ") {
			t.Fatalf("first request: %q, %v", ans, err)
		}
	})

	t.Run("a second start fails and says so", func(t *testing.T) {
		out, err := d.run("start", "-d")
		if err == nil || !strings.Contains(out, "Workerman[app] already running") {
			t.Fatalf("start: err %v, output:\n%s", err, out)
		}
	})

	held := dialKeepAlive(t, d.addr)
	if _, err := held.ask(); err != nil {
		t.Fatal(err)
	}

	t.Run("status shows every process and the open connection", func(t *testing.T) {
		s := d.status()
		if len(s.Processes) != 2 {
			t.Fatalf("want 2 processes, got %+v", s.Processes)
		}
		var conns int64
		for _, p := range s.Processes {
			if p.Busy {
				t.Errorf("process %d shows as busy", p.PID)
			}
			conns += p.Connections
		}
		if conns != 1 {
			t.Errorf("want the 1 held connection, status counts %d", conns)
		}
		out := d.mustRun("status")
		for _, want := range []string{"GLOBAL STATUS", "PROCESS STATUS", "1 workers    2 processes", "[idle]", "[Summary]", strconv.Itoa(s.Processes[1].PID) + "\t"} {
			if !strings.Contains(out, want) {
				t.Errorf("status output lacks %q:\n%s", want, out)
			}
		}
	})

	t.Run("connections lists the open client", func(t *testing.T) {
		out := d.mustRun("connections")
		if !strings.Contains(out, "WORKERMAN CONNECTION STATUS") || !strings.Contains(out, held.LocalAddr().String()) {
			t.Fatalf("connections does not list %s:\n%s", held.LocalAddr(), out)
		}
	})
	held.Close()

	t.Run("a killed child is replaced in its slot while the other serves on", func(t *testing.T) {
		before := d.waitStatus("2 ready processes", func(s status) bool { return len(s.Processes) == 2 })
		victim, other := before.Processes[0], before.Processes[1]
		killed := time.Now()
		if err := syscall.Kill(victim.PID, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		after := d.waitStatus("a replacement", func(s status) bool {
			return len(s.Processes) == 2 && !s.Processes[0].Busy && !s.Processes[1].Busy &&
				s.Processes[0].PID != victim.PID && s.Processes[1].PID != victim.PID
		})
		t.Logf("replacement up %s after kill -9", time.Since(killed))
		byID := map[int]process{}
		for _, p := range after.Processes {
			byID[p.ID] = p
		}
		if byID[other.ID].PID != other.PID {
			t.Errorf("the other child changed: %+v, was %+v", byID[other.ID], other)
		}
		if byID[victim.ID].PID == victim.PID || byID[victim.ID].PID == 0 {
			t.Errorf("slot %d was not refilled: %+v", victim.ID, after.Processes)
		}
		sawKill := false
		for _, e := range after.Workers[0].Exits {
			sawKill = sawKill || (e.Status == int(syscall.SIGKILL) && e.Count == 1)
		}
		if !sawKill {
			t.Errorf("exit statuses lack one SIGKILL (9): %+v", after.Workers[0].Exits)
		}
		if _, err := d.get(); err != nil {
			t.Fatalf("request after the kill: %v", err)
		}
	})

	t.Run("reload switches to the rebuilt binary with no failed request", func(t *testing.T) {
		old := d.status()
		d.install(built(t, "v2"))
		var ok, failed atomic.Int64
		var lastErr atomic.Value
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() {
			for n := 0; n < 20000; n++ {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := d.get(); err != nil {
					failed.Add(1)
					lastErr.Store(err.Error())
				} else {
					ok.Add(1)
				}
			}
		})
		d.mustRun("reload")
		d.waitStatus("two new processes", func(s status) bool {
			if len(s.Processes) != 2 {
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
		if failed.Load() != 0 {
			t.Errorf("%d of %d requests failed during reload; last: %v", failed.Load(), failed.Load()+ok.Load(), lastErr.Load())
		}
		t.Logf("%d requests during reload, %d failed", ok.Load()+failed.Load(), failed.Load())
		for range 10 {
			ans, err := d.get()
			if err != nil || !strings.HasPrefix(ans, "v2 ") {
				t.Fatalf("after reload: %q, %v", ans, err)
			}
		}
	})

	t.Run("stop -g serves a connected client until it leaves", func(t *testing.T) {
		master := d.masterPid()
		s := d.status()
		c := dialKeepAlive(t, d.addr)
		if _, err := c.ask(); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		stopCmd := d.command(ctx, "stop", "-g")
		var out strings.Builder
		stopCmd.Stdout, stopCmd.Stderr = &out, &out
		if err := stopCmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- stopCmd.Wait() }()
		for i := range 3 {
			ans, err := c.ask()
			if err != nil || !strings.HasPrefix(ans, "v2 ") {
				t.Fatalf("request %d on the held connection during stop -g: %q, %v", i, ans, err)
			}
		}
		select {
		case err := <-done:
			t.Fatalf("stop -g ended while a client was connected: %v\n%s", err, out.String())
		default:
		}
		c.Close()
		if err := <-done; err != nil {
			t.Fatalf("stop -g: %v\n%s", err, out.String())
		}
		if !strings.Contains(out.String(), "Workerman[app] is gracefully stopping ...") || !strings.Contains(out.String(), "Workerman[app] stop success") {
			t.Errorf("stop -g output:\n%s", out.String())
		}
		if _, err := os.Stat(filepath.Join(d.dir, "workerman.app.pid")); !os.IsNotExist(err) {
			t.Errorf("pid file still there: %v", err)
		}
		for _, pid := range append([]int{master}, s.Processes[0].PID, s.Processes[1].PID) {
			if alive(pid) {
				t.Errorf("process %d still runs", pid)
			}
		}
	})
}

// TestKilledChildIsReplaced: with one process, the answer after kill -9
// can only come from its replacement.
func TestKilledChildIsReplaced(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a program")
	}
	d := deploy(t, 1)
	d.mustRun("start", "-d")
	before, err := d.get()
	if err != nil {
		t.Fatal(err)
	}
	victim, _ := strconv.Atoi(field(before, "pid"))
	killed := time.Now()
	if err := syscall.Kill(victim, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	after, err := d.get()
	if err != nil {
		t.Fatalf("no answer after kill -9: %v", err)
	}
	t.Logf("answered %s after kill -9", time.Since(killed))
	if field(after, "pid") == field(before, "pid") || field(after, "id") != "0" {
		t.Fatalf("want a new process in slot 0: before %q, after %q", before, after)
	}
	d.status() // notes the replacement's pid for cleanup
	if !strings.Contains(d.mustRun("stop"), "stop success") {
		t.Fatal("stop failed")
	}
	if log, _ := os.ReadFile(filepath.Join(d.dir, "workerman.log")); !strings.Contains(string(log), fmt.Sprintf("worker[web:%d] exit with status 9", victim)) {
		t.Errorf("the log does not name the killed child:\n%s", log)
	}
}

// TestStopClosesConnections: a plain stop does not wait for clients.
func TestStopClosesConnections(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a program")
	}
	d := deploy(t, 1)
	d.mustRun("start", "-d")
	s := d.status()
	c := dialKeepAlive(t, d.addr)
	if _, err := c.ask(); err != nil {
		t.Fatal(err)
	}
	out := d.mustRun("stop")
	if !strings.Contains(out, "Workerman[app] is stopping ...") || !strings.Contains(out, "Workerman[app] stop success") {
		t.Errorf("stop output:\n%s", out)
	}
	if _, err := c.ask(); err == nil {
		t.Error("the connection survived stop")
	}
	for _, pid := range []int{s.Processes[0].PID} {
		if alive(pid) {
			t.Errorf("child %d still runs", pid)
		}
	}
	log, err := os.ReadFile(filepath.Join(d.dir, "workerman.log"))
	if err != nil || !strings.Contains(string(log), "pid:") || !strings.Contains(string(log), "Workerman[app] has been stopped") {
		t.Errorf("log file: %v\n%s", err, log)
	}
}

// TestRestartWhenNothingRuns: restart starts.
func TestRestartWhenNothingRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a program")
	}
	d := deploy(t, 1)
	d.mustRun("restart", "-d")
	if ans, err := d.get(); err != nil || !strings.HasPrefix(ans, "v1 ") {
		t.Fatalf("after restart: %q, %v", ans, err)
	}
	first := d.masterPid()
	d.mustRun("restart", "-d")
	if d.masterPid() == first || d.masterPid() == 0 {
		t.Errorf("restart kept master %d", first)
	}
	if alive(first) {
		t.Errorf("old master %d still runs", first)
	}
	d.mustRun("stop")
}

func TestCommandErrors(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a program")
	}
	d := deploy(t, 1)
	for _, tc := range []struct{ args, want string }{
		{"frobnicate", "unknown command: frobnicate"},
		{"status", "Workerman[app] not run"},
		{"reload", "Workerman[app] not run"},
		{"connections", "Workerman[app] not run"},
	} {
		t.Run(tc.args+" fails with a clear message", func(t *testing.T) {
			out, err := d.run(strings.Fields(tc.args)...)
			if err == nil || !strings.Contains(out, tc.want) {
				t.Fatalf("err %v, output lacks %q:\n%s", err, tc.want, out)
			}
		})
	}
	t.Run("help shows the commands", func(t *testing.T) {
		out := d.mustRun("--help")
		if !strings.Contains(out, "Usage: app <command> [mode]") || !strings.Contains(out, "Get worker connections.") {
			t.Fatalf("help:\n%s", out)
		}
	})
	t.Run("version names the framework", func(t *testing.T) {
		if out := d.mustRun("--version"); !strings.Contains(out, "0.") {
			t.Fatalf("version: %s", out)
		}
	})
}

// TestGoRunExample: `go run ./examples/echo start -d` then `stop`.
func TestGoRunExample(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a program")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("needs the go command")
	}
	const addr = "127.0.0.1:5678" // examples/echo's address
	if ln, err := netListen(addr); err != nil {
		t.Skipf("examples/echo's port is taken: %v", err)
	} else {
		ln.Close()
	}
	root, _ := filepath.Abs("..")
	files := []string{"workerman.echo.pid", "workerman.echo.sock", "workerman.log"}
	existed := map[string]bool{}
	for _, f := range files {
		_, err := os.Stat(filepath.Join(root, f))
		existed[f] = err == nil
	}
	goRun := func(args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, "go", append([]string{"run", "./examples/echo"}, args...)...)
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	t.Cleanup(func() {
		if b, err := os.ReadFile(filepath.Join(root, "workerman.echo.pid")); err == nil {
			if pid, _ := strconv.Atoi(strings.TrimSpace(string(b))); pid > 0 && alive(pid) {
				goRun("stop")
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
		for _, f := range files {
			if !existed[f] {
				os.Remove(filepath.Join(root, f))
			}
		}
	})
	if out, err := goRun("start", "-d"); err != nil {
		t.Fatalf("go run start -d: %v\n%s", err, out)
	}
	b, err := os.ReadFile(filepath.Join(root, "workerman.echo.pid"))
	if err != nil {
		t.Fatal("the pid file goes to the working directory under go run: ", err)
	}
	master, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if got, err := echo(addr, "hi"); err != nil || got != "echo: hi" {
		t.Fatalf("echo: %q, %v", got, err)
	}
	out, err := goRun("stop")
	if err != nil || !strings.Contains(out, "stop success") {
		t.Fatalf("go run stop: %v\n%s", err, out)
	}
	if alive(master) {
		t.Errorf("master %d still runs", master)
	}
}
