package nettest

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
)

// The tests a package skips for want of a real client are counted by
// reason, so that Run can say at the end what did not run: go test hides a
// passing package's output, and -v buries the skips among the passes.
var skipped struct {
	mu  sync.Mutex
	why map[string]int // reason → tests skipped for it
}

// Skip skips the test for why and counts it for Run's summary.
func Skip(t testing.TB, why string) {
	t.Helper()
	skipped.mu.Lock()
	if skipped.why == nil {
		skipped.why = map[string]int{}
	}
	skipped.why[why]++
	skipped.mu.Unlock()
	t.SkipNow()
}

// Run runs the package's tests, removes the programs they built, then prints
// one line per reason tests were skipped for, and returns the exit code. The lines go to the terminal when
// there is one and the package passed without -v, as go test shows none of
// a passing package's output; else to standard output.
func Run(m *testing.M, built ...*Programs) int {
	code := m.Run()
	for _, p := range built {
		p.Remove()
	}
	summary := skipSummary()
	if summary == "" {
		return code
	}
	var w io.Writer = os.Stdout
	if code == 0 && !testing.Verbose() {
		if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
			defer tty.Close()
			w = tty
		}
	}
	io.WriteString(w, summary)
	return code
}

// skipSummary is "<package dir>: skipped N tests: why" for each reason.
func skipSummary() string {
	skipped.mu.Lock()
	defer skipped.mu.Unlock()
	whys := make([]string, 0, len(skipped.why))
	for why := range skipped.why {
		whys = append(whys, why)
	}
	sort.Strings(whys)
	pkg := packageDir()
	out := ""
	for _, why := range whys {
		n := skipped.why[why]
		tests := "tests"
		if n == 1 {
			tests = "test"
		}
		out += fmt.Sprintf("%s: skipped %d %s: %s\n", pkg, n, tests, why)
	}
	return out
}

// packageDir is the test's directory relative to its module, where go test
// runs it.
func packageDir() string {
	dir, err := os.Getwd()
	if err != nil {
		return "."
	}
	if root, ok := moduleRoot(dir); ok {
		if rel, err := filepath.Rel(root, dir); err == nil {
			return rel
		}
	}
	return dir
}
