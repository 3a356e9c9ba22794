//go:build !unix

package nettest

import (
	"os/exec"
	"sync"
	"testing"
)

// Start runs a client program. The returned stop kills it and waits for it;
// it also runs when the test ends, and only once either way.
func Start(t testing.TB, cmd *exec.Cmd) (stop func()) {
	t.Helper()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stop = sync.OnceFunc(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	t.Cleanup(stop)
	return stop
}
