//go:build unix

package nettest

import (
	"os/exec"
	"sync"
	"syscall"
	"testing"
)

// Start runs a client program in a process group of its own. The returned
// stop kills the group and waits for the program; it also runs when the test
// ends, and only once either way.
func Start(t testing.TB, cmd *exec.Cmd) (stop func()) {
	t.Helper()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stop = sync.OnceFunc(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
	})
	t.Cleanup(stop)
	return stop
}
