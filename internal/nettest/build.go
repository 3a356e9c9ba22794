package nettest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Programs builds the programs end-to-end tests drive, each once per test
// binary run, into one temporary directory. A test binary keeps one in a
// package variable and hands it to Run in its TestMain, which removes them.
type Programs struct {
	mu   sync.Mutex
	dir  string
	bins map[string]string
}

// Build compiles the package pkg (relative to the working directory) with
// the go build flags given, unless it was built with them before, and
// returns the program's path.
func (p *Programs) Build(tb testing.TB, pkg string, flags ...string) string {
	tb.Helper()
	key := strings.Join(append([]string{pkg}, flags...), "\x00")
	p.mu.Lock()
	defer p.mu.Unlock()
	if bin, ok := p.bins[key]; ok {
		return bin
	}
	if p.dir == "" {
		d, err := os.MkdirTemp("", "workerman-programs-")
		if err != nil {
			tb.Fatal(err)
		}
		p.dir, p.bins = d, map[string]string{}
	}
	bin := filepath.Join(p.dir, strconv.Itoa(len(p.bins))+"-"+filepath.Base(pkg))
	args := append(append([]string{"build"}, flags...), "-o", bin, pkg)
	if out, err := exec.Command("go", args...).CombinedOutput(); err != nil {
		tb.Fatalf("build %s: %v\n%s", pkg, err, out)
	}
	p.bins[key] = bin
	return bin
}

// Remove deletes every program built.
func (p *Programs) Remove() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.dir != "" {
		os.RemoveAll(p.dir)
		p.dir, p.bins = "", nil
	}
}
