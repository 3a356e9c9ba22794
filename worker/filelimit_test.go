//go:build linux

package worker_test

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestFileLimitRaised: started with a soft limit on open files below the
// hard one, the master and every child serve under the hard limit.
func TestFileLimitRaised(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a program")
	}
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
