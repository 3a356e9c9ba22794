package worker_test

import (
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A timer added from OnMasterStart runs in the master, on its loop with
// its hooks; the timers main adds are the children's alone.
func TestMasterTimer(t *testing.T) {
	d := deploy(t, 2)
	cmd := exec.Command("./app", "start")
	cmd.Dir = d.dir
	cmd.Env = append(d.env, "APP_MASTER_EVERY=20ms")
	app := startBackground(t, cmd)
	master := cmd.Process.Pid
	d.mu.Lock()
	d.pids[master] = true
	d.mu.Unlock()
	tick := fmt.Sprintf("pid=%d\n", master)
	if !app.out.waitFor("master tick 3 "+tick, 1, app.exited, 30*time.Second) {
		t.Fatalf("no third master tick:\n%s", app.out)
	}
	syscall.Kill(master, syscall.SIGUSR1)
	if !app.out.waitFor("master reload after ", 1, app.exited, 30*time.Second) {
		t.Fatalf("no OnMasterReload:\n%s", app.out)
	}
	// Two children at start, two more from the reload.
	if !app.out.waitFor("main timer pid=", 4, app.exited, 30*time.Second) {
		t.Fatalf("the children did not all run main's timer:\n%s", app.out)
	}
	syscall.Kill(master, syscall.SIGTERM)
	if err := app.wait(20 * time.Second); err != nil {
		t.Fatalf("stop: %v\n%s", err, app.out)
	}
	out := app.out.String()
	if strings.Contains(out, "main timer "+tick) {
		t.Errorf("the master ran a timer main added:\n%s", out)
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "master tick ") && !strings.HasSuffix(line+"\n", tick) {
			t.Errorf("a master tick in another process: %q", line)
		}
	}
}
