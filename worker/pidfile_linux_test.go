package worker_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestStalePidFile: the pid file of a master that was killed may name a
// process the system has since given that pid. No command signals it: each
// says the pid file is stale, and start and restart start.
func TestStalePidFile(t *testing.T) {
	d := deploy(t, 1)
	pidFile := filepath.Join(d.dir, "workerman.app.pid")
	// leaveStale starts an unrelated process and writes its pid in the pid
	// file; it returns the pid and the message every command must give.
	leaveStale := func(t *testing.T) (pid int, stale string) {
		t.Helper()
		sleeper := exec.Command("sleep", "40")
		if err := sleeper.Start(); err != nil {
			t.Skipf("no sleep to stand for the unrelated process: %v", err)
		}
		t.Cleanup(func() {
			sleeper.Process.Kill()
			sleeper.Wait()
		})
		pid = sleeper.Process.Pid
		if err := os.WriteFile(pidFile, []byte(strconv.Itoa(pid)), 0o644); err != nil {
			t.Fatal(err)
		}
		return pid, "Workerman[app] pid file " + pidFile + " is stale: process " + strconv.Itoa(pid) + " is not its master"
	}

	for _, cmd := range []string{"reload", "stop", "status", "connections"} {
		t.Run(cmd+" says the pid file is stale and signals nothing", func(t *testing.T) {
			pid, stale := leaveStale(t)
			out, err := d.run(cmd)
			if err == nil || !strings.Contains(out, stale) || !strings.Contains(out, "Workerman[app] not run") {
				t.Errorf("err %v, output lacks %q and not run:\n%s", err, stale, out)
			}
			if !alive(pid) {
				t.Fatalf("./app %s ended process %d", cmd, pid)
			}
		})
	}
	for _, args := range [][]string{{"start", "-d"}, {"restart", "-d"}} {
		t.Run(args[0]+" says the pid file is stale and starts", func(t *testing.T) {
			pid, stale := leaveStale(t)
			out, err := d.run(args...)
			t.Cleanup(func() { d.run("stop") })
			if err != nil || strings.Count(out, stale) != 1 || !strings.Contains(out, "Start success.") {
				t.Errorf("err %v, output lacks %q once and Start success:\n%s", err, stale, out)
			}
			if !alive(pid) {
				t.Fatalf("./app %s ended process %d", args[0], pid)
			}
			if got := d.masterPid(); got == pid || got == 0 {
				t.Fatalf("the pid file names %d after %s", got, args[0])
			}
			if ans, err := d.get(); err != nil || !strings.HasPrefix(ans, "v1 ") {
				t.Fatalf("after %s: %q, %v", args[0], ans, err)
			}
			if out, err := d.run("stop"); err != nil || !strings.Contains(out, "stop success") {
				t.Fatalf("stop: %v\n%s", err, out)
			}
		})
	}
	t.Run("stop finds the master by its executable when its control socket is gone", func(t *testing.T) {
		out, err := d.run("start", "-d")
		t.Cleanup(func() { d.run("stop") })
		if err != nil {
			t.Fatalf("start: %v\n%s", err, out)
		}
		if err := os.Remove(filepath.Join(d.dir, "workerman.app.sock")); err != nil {
			t.Fatal(err)
		}
		master := d.masterPid()
		if out, err := d.run("stop"); err != nil || !strings.Contains(out, "stop success") {
			t.Fatalf("stop: %v\n%s", err, out)
		}
		if alive(master) {
			t.Fatalf("master %d still runs", master)
		}
	})
}
