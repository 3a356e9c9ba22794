//go:build unix

package nettest

import (
	"net"
	"os"
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

// StartProgram runs "bin start", a program of this repository that listens
// on a fixed port of every address (an example), in a temporary directory
// with env added, and waits until it accepts on loopback. It waits first,
// bounded, until the port can be bound: the children of a run before, killed
// with their master, may hold it a moment longer. The program's process group
// is killed when the test ends.
func StartProgram(t testing.TB, bin, port string, env ...string) {
	t.Helper()
	Eventually(t, "port "+port+" free to bind", func() bool {
		ln, err := net.Listen("tcp", net.JoinHostPort("0.0.0.0", port))
		if err == nil {
			ln.Close()
		}
		return err == nil
	})
	cmd := exec.Command(bin, "start")
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	Start(t, cmd)
	Eventually(t, bin+" accepting on port "+port, func() bool {
		c, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", port))
		if err == nil {
			c.Close()
		}
		return err == nil
	})
}
