package nettest

import (
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/workerman-go/workerman/internal/eventloop"
	"github.com/workerman-go/workerman/worker"
)

// Timeout bounds every wait of a socket test; it only guards against a hang.
const Timeout = 30 * time.Second

// Backends runs fn once per event-loop backend of this system (epoll and
// portable on Linux), with that backend selected for the workers fn starts.
func Backends(t *testing.T, fn func(t *testing.T)) {
	t.Helper()
	list := []eventloop.Backend{eventloop.Portable}
	if runtime.GOOS == "linux" {
		list = []eventloop.Backend{eventloop.Epoll, eventloop.Portable}
	}
	for _, b := range list {
		t.Run(string(b), func(t *testing.T) {
			if err := eventloop.SetBackend(b); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { eventloop.SetBackend(eventloop.DefaultBackend()) })
			fn(t)
		})
	}
}

// Serve starts workers in this process, on its one loop, and stops them when
// the test ends. It returns the first worker's address.
func Serve(t testing.TB, ws ...*worker.Worker) string {
	t.Helper()
	g, err := worker.Start(ws...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(g.Stop)
	return ws[0].Addr().String()
}

// Dial connects to a worker's address (tcp, or unix for a path) and closes
// the connection when the test ends.
func Dial(t testing.TB, addr string) net.Conn {
	t.Helper()
	network := "tcp"
	if filepath.IsAbs(addr) {
		network = "unix"
	}
	c, err := net.Dial(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(Timeout))
	return c
}

// ReadN reads exactly n bytes.
func ReadN(t testing.TB, r io.Reader, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		t.Fatalf("reading %d bytes: %v (got %q)", n, err, b)
	}
	return string(b)
}

// Eventually polls cond until it holds.
func Eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(Timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Need returns the path of a client program, or skips the test when it is
// not installed.
func Need(t testing.TB, program string) string {
	t.Helper()
	p, err := exec.LookPath(program)
	if err != nil {
		Skip(t, program+" is not installed (bash .ci/clients.sh installs it)")
	}
	return p
}

// NeedPort skips the test when port, which an example listens on on every
// address, is taken by another program.
func NeedPort(t testing.TB, port string) {
	t.Helper()
	ln, err := net.Listen("tcp", net.JoinHostPort("0.0.0.0", port))
	if err != nil {
		Skip(t, "port "+port+", which the example listens on, is taken: "+err.Error())
		return
	}
	ln.Close()
}

// Chromium is the path of the Chromium that .ci/clients.sh installs, or
// skips the test when it is missing.
func Chromium(t testing.TB) string {
	t.Helper()
	const chromium = "/usr/bin/chromium"
	if _, err := os.Stat(chromium); err != nil {
		Skip(t, "chromium is not installed (bash .ci/clients.sh installs it)")
	}
	return chromium
}

// ChromiumCommand is a headless Chromium that opens url with a profile of
// its own, for Start; flags go before the URL. It skips the test when
// Chromium is missing.
func ChromiumCommand(t testing.TB, url string, flags ...string) *exec.Cmd {
	t.Helper()
	args := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
		"--user-data-dir=" + t.TempDir()}
	return exec.Command(Chromium(t), append(append(args, flags...), url)...)
}

// NodeModules is the directory of the npm clients, or skips the test when
// they are not installed.
func NodeModules(t testing.TB, pkg string) string {
	t.Helper()
	dir := filepath.Join(ModuleRoot(t), ".ci", "node", "node_modules")
	if _, err := os.Stat(filepath.Join(dir, pkg)); err != nil {
		Skip(t, "npm package "+pkg+" is not installed (bash .ci/clients.sh installs it)")
	}
	return dir
}

// ModuleRoot is the directory of the module's go.mod.
func ModuleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root, ok := moduleRoot(dir)
	if !ok {
		t.Fatal("no go.mod above the test's directory")
	}
	return root
}

// moduleRoot is the nearest directory from dir up that holds a go.mod.
func moduleRoot(dir string) (string, bool) {
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// GoServe accepts connections on ln and runs handle for each on a goroutine of
// its own, the plain Go way, until the test ends; then it closes the listener
// and every connection and waits for the handlers.
func GoServe(t testing.TB, ln net.Listener, handle func(net.Conn)) {
	t.Helper()
	var (
		mu    sync.Mutex
		conns []net.Conn
		wg    sync.WaitGroup
	)
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Go(func() { handle(c) })
		}
	})
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
}

// FreeAddr is a loopback address with a port free a moment ago, for a
// program the test starts to listen on.
func FreeAddr(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// SyncBuffer is a log destination a test reads while the loop, or another
// goroutine, writes to it.
type SyncBuffer struct {
	mu sync.Mutex
	b  []byte
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b = append(s.b, p...)
	return len(p), nil
}

func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return string(s.b)
}
