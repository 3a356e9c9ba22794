//go:build linux

package cluster_test

import (
	"encoding/json"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// natsServer is an external nats-server process, built from the module this
// one depends on.
type natsServer struct {
	tb   testing.TB
	bin  string
	port int
	cmd  *exec.Cmd
}

func startNATS(tb testing.TB, port int) *natsServer {
	tb.Helper()
	s := &natsServer{tb: tb, bin: built(tb, "github.com/nats-io/nats-server/v2"), port: port}
	s.start()
	tb.Cleanup(s.stop)
	return s
}

func (s *natsServer) start() {
	s.tb.Helper()
	s.cmd = exec.Command(s.bin, "-a", "127.0.0.1", "-p", strconv.Itoa(s.port))
	if err := s.cmd.Start(); err != nil {
		s.tb.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", s.port))
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			s.tb.Fatalf("nats-server did not start on port %d", s.port)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (s *natsServer) stop() {
	if s.cmd != nil && s.cmd.ProcessState == nil {
		s.cmd.Process.Signal(syscall.SIGTERM)
		s.cmd.Wait()
	}
}

// crossing binds a client of each instance to one uid and one group and
// checks that sends from either instance reach both.
func crossing(t *testing.T, one, two *instance) (a, b *wsClient) {
	t.Helper()
	a, b = dialApp(t, one.addr), dialApp(t, two.addr)
	for _, c := range []*wsClient{a, b} {
		c.ok(t, map[string]any{"op": "bind", "name": "carol"})
		c.ok(t, map[string]any{"op": "join", "name": "ops"})
	}
	waitCount(t, a, "uidcount", "carol", 2)
	waitCount(t, b, "groupcount", "ops", 2)
	a.ok(t, map[string]any{"op": "touid", "name": "carol", "data": "from one"})
	b.ok(t, map[string]any{"op": "togroup", "name": "ops", "data": "from two"})
	for _, c := range []*wsClient{a, b} {
		c.expectAll(t, "from one", "from two") // two publishers: in either order
	}
	return a, b
}

func TestTwoInstancesOnAnExternalServerFormOneCluster(t *testing.T) {
	port := freePort(t)
	nats := startNATS(t, port)
	url := fmt.Sprintf("WM_NATS_URL=nats://127.0.0.1:%d", port)
	bin := built(t, "./testdata/app")
	one := start(t, bin, "APP_COUNT=2", url, "APP_OUTAGE_LIMIT=300ms")
	two := start(t, bin, "APP_COUNT=2", url, "APP_OUTAGE_LIMIT=300ms")
	a, b := crossing(t, one, two)
	if line := natsLine(t, one.run("status")); !strings.Contains(line, "external nats://127.0.0.1:") {
		t.Fatalf("status: %q", line)
	}

	t.Run("while the server is down, local deliveries go on and publishes fail past the limit", func(t *testing.T) {
		nats.stop()
		deadline := time.Now().Add(10 * time.Second)
		for {
			e := a.do(t, map[string]any{"op": "touid", "name": "carol", "data": "local"}).Err
			a.expect(t, "local") // this process's own member, NATS or not
			if strings.Contains(e, "NATS unavailable") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("publishes still succeed 10s into the outage: %q", e)
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
	t.Run("after the server comes back, delivery resumes without a restart", func(t *testing.T) {
		nats.start()
		deadline := time.Now().Add(15 * time.Second)
		for i := 0; ; i++ {
			msg := fmt.Sprintf("back %d", i)
			if a.do(t, map[string]any{"op": "touid", "name": "carol", "data": msg}).Err == "" {
				if got := b.waitFor(t, msg, 500*time.Millisecond); got {
					return
				}
			}
			if time.Now().After(deadline) {
				t.Fatal("no delivery across instances 15s after the server came back")
			}
		}
	})
}

func TestTwoInstancesWithRoutedEmbeddedServersFormOneCluster(t *testing.T) {
	p1, p2 := freePort(t), freePort(t)
	routes := fmt.Sprintf("WM_NATS_ROUTES=nats://127.0.0.1:%d,nats://127.0.0.1:%d", p1, p2)
	bin := built(t, "./testdata/app")
	one := start(t, bin, "APP_COUNT=2", routes, fmt.Sprintf("WM_NATS_CLUSTER_LISTEN=127.0.0.1:%d", p1), "WM_NATS_CLUSTER_SECRET=s3cret")
	two := start(t, bin, "APP_COUNT=2", routes, fmt.Sprintf("WM_NATS_CLUSTER_LISTEN=127.0.0.1:%d", p2), "WM_NATS_CLUSTER_SECRET=s3cret")
	crossing(t, one, two)
	if line := natsLine(t, two.run("status")); !strings.Contains(line, "route connections") || strings.Contains(line, "route connections 0") {
		t.Fatalf("status: %q", line)
	}
}

// expectAll reads until every one of want has arrived, in any order.
func (c *wsClient) expectAll(t *testing.T, want ...string) {
	t.Helper()
	left := map[string]bool{}
	for _, w := range want {
		left[w] = true
	}
	for len(left) > 0 {
		m := c.next(t)
		if !left[m] && !strings.HasPrefix(m, "{") {
			t.Fatalf("got %q, want one of %v", m, left)
		}
		delete(left, m)
	}
}

// waitFor reports whether want arrives within d, skipping other deliveries.
func (c *wsClient) waitFor(t *testing.T, want string, d time.Duration) bool {
	t.Helper()
	timeout := time.After(d)
	for {
		select {
		case m, ok := <-c.in:
			if !ok {
				t.Fatal("connection closed")
			}
			if m == want {
				return true
			}
		case <-timeout:
			return false
		}
	}
}

func TestClientThatNeverReadsIsBoundedAndOthersGoOn(t *testing.T) {
	app := start(t, built(t, "./testdata/app"), "APP_COUNT=1")
	slow := dialApp(t, app.addr)
	slow.ok(t, map[string]any{"op": "join", "name": "feed"})
	local := slow.conn.LocalAddr().String()
	slow.conn.UnderlyingConn().(*net.TCPConn).SetReadBuffer(4096) // and never read again
	fast := dialApp(t, app.addr)
	fast.ok(t, map[string]any{"op": "join", "name": "feed"})
	// 24 MiB to each member, 240 KiB per loop round: the reader gets all.
	const rounds, n, size = 100, 30, 8192
	for range rounds {
		fast.ok(t, map[string]any{"op": "flood", "name": "feed", "n": n, "size": size})
		for i := range n {
			if m := fast.next(t); !strings.HasPrefix(m, strconv.Itoa(i)+" ") {
				t.Fatalf("message %d: %.20q", i, m)
			}
		}
	}
	var rows []struct {
		Remote string `json:"remote_address"`
		SendQ  int    `json:"send_q"`
	}
	if err := json.Unmarshal([]byte(app.run("connections", "--json")), &rows); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range rows {
		if r.Remote == local {
			found = true
			if r.SendQ > 2<<20 {
				t.Fatalf("the reader-less client holds %d bytes of send buffer", r.SendQ)
			}
		}
	}
	if !found {
		t.Fatalf("no row for %s in connections", local)
	}
}
