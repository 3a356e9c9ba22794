package worker_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/workerman-go/workerman/internal/nettest"
)

// TestProgramLifecycle walks one deployment through what an operator does:
// each step builds on the one before, so the first that fails ends the walk.
func TestProgramLifecycle(t *testing.T) {
	d := deploy(t, 2)
	step := func(name string, f func(t *testing.T)) {
		t.Helper()
		if !t.Run(name, f) {
			t.FailNow()
		}
	}

	step("stop when nothing runs fails and says so", func(t *testing.T) {
		out, err := d.run("stop")
		if err == nil || !strings.Contains(out, "Workerman[app] not run") {
			t.Fatalf("stop: err %v, output:\n%s", err, out)
		}
	})

	step("start -d returns once every process serves", func(t *testing.T) {
		out := d.mustRun("start", "-d")
		for _, want := range []string{"Workerman[app] start in DAEMON mode", "WORKERS", "http://" + d.addr, `Input "./app stop" to stop. Start success.`} {
			if !strings.Contains(out, want) {
				t.Errorf("start output lacks %q:\n%s", want, out)
			}
		}
		if d.masterPid() == 0 {
			t.Fatal("no pid file after start -d")
		}
	})

	step("curl gets the first answer", func(t *testing.T) {
		if _, err := exec.LookPath("curl"); err != nil {
			if ans, err := d.get(); err != nil || !strings.HasPrefix(ans, "v1 ") {
				t.Fatalf("first request, with Go's client: %q, %v", ans, err)
			}
			nettest.Skip(t, "curl is not installed (bash .ci/clients.sh installs it): Go's client made the first request")
		}
		if ans, err := curlGet("http://" + d.addr + "/"); err != nil || !strings.HasPrefix(ans, "v1 ") {
			t.Fatalf("first request: %q, %v", ans, err)
		}
	})

	step("a second start fails and says so", func(t *testing.T) {
		out, err := d.run("start", "-d")
		if err == nil || !strings.Contains(out, "Workerman[app] already running") {
			t.Fatalf("start: err %v, output:\n%s", err, out)
		}
	})

	// An event stream stays open through the next steps.
	events := dialEvents(t, d.addr)
	first, err := events.next()
	if err != nil || !strings.HasPrefix(first, "v1 ") {
		t.Fatalf("first event: %q, %v", first, err)
	}
	streamer, _ := strconv.Atoi(field(first, "pid"))

	step("status shows every process and the event stream's connection and timer", func(t *testing.T) {
		// The first request's connection may still be closing: wait for it.
		s := d.waitStatus(fmt.Sprintf("2 processes, with the stream's connection and timer in %d alone", streamer), func(s status) bool {
			if len(s.Processes) != 2 {
				return false
			}
			for _, p := range s.Processes {
				want := int64(0)
				if p.PID == streamer {
					want = 1
				}
				if p.Busy || p.Connections != want || int64(p.Timers) != want {
					return false
				}
			}
			return true
		})
		out := d.mustRun("status")
		for _, want := range []string{"GLOBAL STATUS", "PROCESS STATUS", "1 workers    2 processes", "[idle]", "[Summary]", strconv.Itoa(s.Processes[1].PID) + "\t"} {
			if !strings.Contains(out, want) {
				t.Errorf("status output lacks %q:\n%s", want, out)
			}
		}
	})

	step("status -d redraws the screen every second until Ctrl+C", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		live := startBackground(t, d.command(ctx, "status", "-d"))
		const prompt = "Press Ctrl+C to quit."
		if !live.out.waitFor(prompt, 2, live.exited, 15*time.Second) {
			t.Fatalf("status -d did not show two screens:\n%q", live.out.String())
		}
		if err := live.cmd.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		if err := live.wait(15 * time.Second); err != nil {
			t.Fatalf("status -d after Ctrl+C: %v\n%s", err, live.out.String())
		}
		out := live.out.String()
		screens := strings.Split(out, "\033[H\033[2J")[1:] // each screen starts by clearing the terminal
		if len(screens) < 2 {
			t.Fatalf("want the terminal cleared before each of 2 screens, got %d:\n%q", len(screens), out)
		}
		for i, s := range screens {
			if !strings.Contains(s, "PROCESS STATUS") || !strings.Contains(s, strconv.Itoa(streamer)+"\t") || strings.Count(s, prompt) != 1 {
				t.Errorf("screen %d is not one whole status and its prompt:\n%s", i, s)
			}
		}
	})

	step("connections lists the event stream's client", func(t *testing.T) {
		client := events.LocalAddr().String()
		if out := d.mustRun("connections"); !strings.Contains(out, "WORKERMAN CONNECTION STATUS") || !strings.Contains(out, client) {
			t.Fatalf("connections does not list %s:\n%s", client, out)
		}
		var rows []struct {
			PID    int    `json:"pid"`
			Status string `json:"status"`
			Remote string `json:"remote_address"`
		}
		if err := json.Unmarshal([]byte(d.mustRun("connections", "--json")), &rows); err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || rows[0].Remote != client || rows[0].PID != streamer || rows[0].Status != "ESTABLISHED" {
			t.Fatalf("want the one stream from %s in process %d, got %+v", client, streamer, rows)
		}
		if ev, err := events.next(); err != nil || field(ev, "pid") != strconv.Itoa(streamer) {
			t.Fatalf("the stream stopped: %q, %v", ev, err)
		}
	})
	events.Close()

	step("a killed child is replaced in its slot while the other serves on", func(t *testing.T) {
		before := d.waitStatus("2 idle processes", func(s status) bool {
			return len(s.Processes) == 2 && s.Processes[0].Connections+s.Processes[1].Connections == 0
		})
		held := dialKeepAlive(t, d.addr)
		ans, err := held.ask()
		if err != nil {
			t.Fatal(err)
		}
		survivor := field(ans, "pid")
		victim := before.Processes[0]
		if strconv.Itoa(victim.PID) == survivor {
			victim = before.Processes[1]
		}
		killed := time.Now()
		if err := syscall.Kill(victim.PID, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			if ans, err := held.ask(); err != nil || field(ans, "pid") != survivor {
				t.Fatalf("request %d to the other process after the kill: %q, %v", i, ans, err)
			}
		}
		// New connections go to both processes; wait for one that reaches
		// the victim's slot.
		var replacement string
		for n := 0; replacement == ""; n++ {
			ans, err := d.get()
			if err == nil && field(ans, "id") == strconv.Itoa(victim.ID) {
				replacement = field(ans, "pid")
				break
			}
			if n == 2000 || time.Since(killed) > 15*time.Second {
				t.Fatalf("no answer from slot %d in %d requests over %s; last: %q, %v", victim.ID, n, time.Since(killed), ans, err)
			}
		}
		t.Logf("slot %d answered from process %s %s after kill -9", victim.ID, replacement, time.Since(killed))
		if replacement == strconv.Itoa(victim.PID) {
			t.Fatalf("slot %d answered from the killed process %d", victim.ID, victim.PID)
		}
		if ans, err := held.ask(); err != nil || field(ans, "pid") != survivor {
			t.Fatalf("the other process's client after the replacement: %q, %v", ans, err)
		}
		after := d.status()
		byID := map[int]process{}
		for _, p := range after.Processes {
			byID[p.ID] = p
		}
		if len(after.Processes) != 2 || strconv.Itoa(byID[victim.ID].PID) != replacement || strconv.Itoa(byID[1-victim.ID].PID) != survivor {
			t.Errorf("want slot %d served by %s and the other by %s: %+v", victim.ID, replacement, survivor, after.Processes)
		}
		sawKill := false
		for _, e := range after.Workers[0].Exits {
			sawKill = sawKill || (e.Status == int(syscall.SIGKILL) && e.Count == 1)
		}
		if !sawKill {
			t.Errorf("exit statuses lack one SIGKILL (9): %+v", after.Workers[0].Exits)
		}
	})

	step("reload switches to the rebuilt binary with no failed request", func(t *testing.T) {
		d.install(built(t, "v2"))
		ok, failed, lastErr := d.reloadUnderLoad(20000)
		if failed != 0 {
			t.Errorf("%d of %d requests failed during reload; last: %v", failed, failed+ok, lastErr)
		}
		t.Logf("%d requests during reload, %d failed", ok+failed, failed)
		for range 10 {
			ans, err := d.get()
			if err != nil || !strings.HasPrefix(ans, "v2 ") {
				t.Fatalf("after reload: %q, %v", ans, err)
			}
		}
	})

	step("stop -g streams to a connected client until it leaves, then the master ends", func(t *testing.T) {
		master := d.masterPid()
		s := d.status()
		events := dialEvents(t, d.addr)
		ev, err := events.next()
		if err != nil || !strings.HasPrefix(ev, "v2 ") || field(ev, "state") != "serving" {
			t.Fatalf("event before stop -g: %q, %v", ev, err)
		}
		streamer := field(ev, "pid")
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		stopping := startBackground(t, d.command(ctx, "stop", "-g"))
		// The process has begun to stop once its events say so; three of
		// them prove the stream goes on.
		for n, after := 0, 0; after < 3; n++ {
			ev, err := events.next()
			if err != nil || field(ev, "pid") != streamer || n == 400 {
				t.Fatalf("event %d during stop -g, %d of them after the stop began: %q, %v\nstop -g output:\n%s", n, after, ev, err, stopping.out.String())
			}
			if field(ev, "state") == "stopping" {
				after++
			}
		}
		select {
		case <-stopping.exited:
			t.Fatalf("stop -g ended while a client was connected: %v\n%s", stopping.err, stopping.out.String())
		default:
		}
		if !alive(master) {
			t.Fatalf("master %d ended while a client was connected", master)
		}
		events.Close()
		if err := stopping.wait(20 * time.Second); err != nil {
			t.Fatalf("stop -g after the client left: %v\n%s", err, stopping.out.String())
		}
		if out := stopping.out.String(); !strings.Contains(out, "Workerman[app] is gracefully stopping ...") || !strings.Contains(out, "Workerman[app] stop success") {
			t.Errorf("stop -g output:\n%s", out)
		}
		if _, err := os.Stat(filepath.Join(d.dir, "workerman.app.pid")); !os.IsNotExist(err) {
			t.Errorf("pid file still there: %v", err)
		}
		for _, pid := range []int{master, s.Processes[0].PID, s.Processes[1].PID} {
			if alive(pid) {
				t.Errorf("process %d still runs", pid)
			}
		}
	})
}

// TestKilledChildIsReplaced: with one process, the answer after kill -9
// can only come from its replacement.
func TestKilledChildIsReplaced(t *testing.T) {
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

// TestGracefulReloadIsBounded: reload -g lets an old process keep a client
// that never leaves only for ReloadTimeout; then the client is closed (it
// would reconnect to the new code) and the old process is gone.
func TestGracefulReloadIsBounded(t *testing.T) {
	d := deploy(t, 1)
	d.env = append(d.env, "APP_RELOAD_TIMEOUT=1s")
	d.mustRun("start", "-d")
	old := d.status().Processes[0].PID
	s := dialEvents(t, d.addr)
	if _, err := s.next(); err != nil {
		t.Fatal(err)
	}
	d.mustRun("reload", "-g")
	// The stream goes on past the reload (an event every 50 ms), then ends
	// once the bound passed.
	after := -1
	for err := error(nil); err == nil; after++ {
		_, err = s.next()
	}
	if after < 2 {
		t.Fatalf("the client got %d events after reload -g, want it kept for a while", after)
	}
	if alive(old) {
		d.waitStatus("the old process gone", func(st status) bool { return !alive(old) })
	}
	st := d.waitStatus("a new process serving", func(st status) bool {
		return len(st.Processes) == 1 && st.Processes[0].PID != old && !st.Processes[0].Busy
	})
	if ans, err := d.get(); err != nil || !strings.Contains(ans, "pid="+strconv.Itoa(st.Processes[0].PID)) {
		t.Fatalf("after the bounded reload: %q, %v", ans, err)
	}
}

// TestChildrenRunAsTheWorkersUser: started by root, a worker with a User
// runs its processes as that user while the master stays root.
func TestChildrenRunAsTheWorkersUser(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a program")
	}
	if os.Getuid() != 0 {
		t.Skip("only root can run children as another user")
	}
	nobody, err := user.Lookup("nobody")
	if err != nil {
		t.Skip("no user nobody on this system")
	}
	d := deploy(t, 1)
	// The child execs the program as nobody: its directories must let it in.
	for dir := d.dir; strings.HasPrefix(dir, os.TempDir()+string(filepath.Separator)); dir = filepath.Dir(dir) {
		os.Chmod(dir, 0o755)
	}
	sock := filepath.Join(d.dir, "app.sock")
	d.env = append(d.env, "APP_USER=nobody", "APP_UNIX="+sock)
	d.mustRun("start", "-d")
	child := d.status().Processes[0].PID
	if got := uidOf(t, child); got != nobody.Uid {
		t.Errorf("child runs as uid %s, want nobody's %s", got, nobody.Uid)
	}
	if got := uidOf(t, d.masterPid()); got != "0" {
		t.Errorf("master runs as uid %s, want root", got)
	}
	if _, err := d.get(); err != nil {
		t.Fatalf("the child running as nobody does not serve: %v", err)
	}
	if info, err := os.Stat(sock); err != nil {
		t.Errorf("the unix socket: %v", err)
	} else if owner := strconv.Itoa(int(info.Sys().(*syscall.Stat_t).Uid)); owner != nobody.Uid {
		t.Errorf("the unix socket belongs to uid %s, want nobody's %s", owner, nobody.Uid)
	}
}

// uidOf is the real uid of a process, from /proc.
func uidOf(t *testing.T, pid int) string {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "Uid:" {
			return f[1]
		}
	}
	t.Fatalf("no Uid line for pid %d", pid)
	return ""
}

// TestRestartWhenNothingRuns: restart starts.
func TestRestartWhenNothingRuns(t *testing.T) {
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

// TestGoRunSeed runs the seed as its documentation does, `go run
// ./examples/sse start` in the foreground of a terminal, and stops it both
// ways a user can: `go run ./examples/sse stop` from another terminal, and
// Ctrl+C, which signals the terminal's foreground process group. Started
// with -d, it serves on after the go command has ended.
func TestGoRunSeed(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a program")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("needs the go command")
	}
	for _, tc := range []struct {
		name  string
		start []string
		stop  func(t *testing.T, seed *background)
	}{
		{"start in the foreground serves until go run ./examples/sse stop", []string{"start"}, func(t *testing.T, seed *background) {
			goRunSeedStop(t)
			if err := seed.wait(20 * time.Second); err != nil {
				t.Fatalf("go run ./examples/sse start after stop: %v\n%s", err, seed.out.String())
			}
			if !strings.Contains(seed.out.String(), "Workerman[sse] has been stopped") {
				t.Errorf("the program did not say it stopped:\n%s", seed.out.String())
			}
		}},
		{"start in the foreground serves until Ctrl+C", []string{"start"}, func(t *testing.T, seed *background) {
			if err := syscall.Kill(-seed.cmd.Process.Pid, syscall.SIGINT); err != nil {
				t.Fatal(err)
			}
			// The go command itself exits 1 when interrupted, whatever the
			// program's status: the program's own words tell how it ended.
			if err := seed.wait(20 * time.Second); errors.Is(err, errStillRuns) {
				t.Fatalf("go run ./examples/sse start after Ctrl+C: %v\n%s", err, seed.out.String())
			}
			if !strings.Contains(seed.out.String(), "Workerman[sse] has been stopped") {
				t.Errorf("the program did not say it stopped:\n%s", seed.out.String())
			}
		}},
		{"start -d serves until go run ./examples/sse stop", []string{"start", "-d"}, func(t *testing.T, seed *background) {
			if err := seed.wait(20 * time.Second); err != nil {
				t.Fatalf("go run ./examples/sse start -d: %v\n%s", err, seed.out.String())
			}
			if ans, err := dialKeepAlive(t, "127.0.0.1:8080").ask(); err != nil || ans != "ok" {
				t.Fatalf("request after go run ended: %q, %v", ans, err)
			}
			goRunSeedStop(t)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			runSeed(t, tc.start, tc.stop)
		})
	}
}

// goRunSeedStop runs `go run ./examples/sse stop`.
func goRunSeedStop(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if out, err := goRunSeed(ctx, "stop").CombinedOutput(); err != nil || !strings.Contains(string(out), "Workerman[sse] stop success") {
		t.Fatalf("go run ./examples/sse stop: %v\n%s", err, out)
	}
}

// goRunSeed is `go run ./examples/sse args...` in the repository, where
// the program's files go under go run: the working directory.
func goRunSeed(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "go", append([]string{"run", "./examples/sse"}, args...)...)
	cmd.Dir = ".."
	return cmd
}

// runSeed runs `go run ./examples/sse` with the start arguments, checks
// that the program serves, stops it with stop and checks that no process of
// it is left.
func runSeed(t *testing.T, start []string, stop func(t *testing.T, seed *background)) {
	const addr = "127.0.0.1:8080" // where examples/sse listens
	lockSeedPort(t)
	if ln, err := net.Listen("tcp", "0.0.0.0:8080"); err != nil {
		t.Skipf("port 8080, which examples/sse listens on, is taken: %v", err)
	} else {
		ln.Close()
	}
	pidFile := filepath.Join("..", "workerman.sse.pid")
	files := []string{pidFile, filepath.Join("..", "workerman.sse.sock"), filepath.Join("..", "workerman.log")}
	existed := map[string]bool{}
	for _, f := range files {
		_, err := os.Stat(f)
		existed[f] = err == nil
	}
	t.Cleanup(func() {
		for _, f := range files {
			if !existed[f] {
				os.Remove(f)
			}
		}
	})

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	cmd := goRunSeed(ctx, start...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // a terminal's foreground group
	seed := startBackground(t, cmd)
	var master int
	var kids []int
	t.Cleanup(func() {
		for _, pid := range append([]int{master}, kids...) {
			if pid > 0 && alive(pid) {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	})
	if !seed.out.waitFor("Start success.", 1, seed.exited, 2*time.Minute) {
		if strings.Contains(seed.out.String(), "address already in use") {
			t.Skipf("port 8080 was taken meanwhile:\n%s", seed.out.String())
		}
		t.Fatalf("go run ./examples/sse %s did not start:\n%s", strings.Join(start, " "), seed.out.String())
	}
	if b, err := os.ReadFile(pidFile); err == nil {
		master, _ = strconv.Atoi(strings.TrimSpace(string(b)))
	}
	if kids = childrenOf(master); master == 0 || len(kids) != 1 {
		t.Fatalf("want a master and its one child: master %d, children %v", master, kids)
	}

	if ans, err := dialKeepAlive(t, addr).ask(); err != nil || ans != "ok" {
		t.Fatalf("plain request: %q, %v", ans, err)
	}
	events := dialEvents(t, addr)
	if ev, err := events.next(); err != nil || ev != "hello" {
		t.Fatalf("first event: %q, %v", ev, err)
	}
	events.Close()

	stop(t, seed)
	for _, pid := range append([]int{master}, kids...) {
		if alive(pid) {
			t.Errorf("process %d still runs", pid)
		}
	}
	if _, err := os.Stat(pidFile); !os.IsNotExist(err) {
		t.Errorf("pid file still there: %v", err)
	}
}

// TestFileLimitRaised: started with a soft limit on open files below the
// hard one, the master and every child serve under the hard limit.
func TestFileLimitRaised(t *testing.T) {
	d := deploy(t, 2)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	start := d.command(ctx, "-c", "ulimit -Sn 256 && exec ./app start -d")
	start.Path, start.Args[0] = "/bin/sh", "sh"
	if out, err := start.CombinedOutput(); err != nil {
		t.Fatalf("start under ulimit -Sn 256: %v\n%s", err, out)
	}
	d.notePids()
	pids := []int{d.masterPid()}
	for _, p := range d.waitStatus("two children", func(s status) bool { return len(s.Processes) == 2 }).Processes {
		pids = append(pids, p.PID)
	}
	for _, pid := range pids {
		soft, hard := openFileLimits(t, pid)
		if soft != hard {
			t.Errorf("process %d: soft limit on open files %s, hard %s", pid, soft, hard)
		}
	}
}

// openFileLimits reads the "Max open files" line of /proc/{pid}/limits.
func openFileLimits(t *testing.T, pid int) (soft, hard string) {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/limits")
	if err != nil {
		t.Fatal(err)
	}
	for s := bufio.NewScanner(bytes.NewReader(b)); s.Scan(); {
		if rest, ok := strings.CutPrefix(s.Text(), "Max open files"); ok {
			if f := strings.Fields(rest); len(f) >= 2 {
				return f[0], f[1]
			}
		}
	}
	t.Fatalf("no open files line in /proc/%d/limits:\n%s", pid, b)
	return "", ""
}
