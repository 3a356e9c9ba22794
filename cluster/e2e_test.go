//go:build linux

package cluster_test

import (
	"regexp"
	"strings"
	"testing"
)

func TestPublishReachesEveryProcessOnItsLoop(t *testing.T) {
	app := start(t, built(t, "./testdata/app"), "APP_COUNT=2")
	cs := spread(t, app.addr, 2)
	subscribed(t, cs[0], 2)
	cs[0].ok(t, map[string]any{"op": "publish", "data": "hello"})
	for _, c := range cs {
		c.expect(t, "room:hello")
	}
	t.Run("a request is answered by a subscriber in some process", func(t *testing.T) {
		a := cs[1].ok(t, map[string]any{"op": "request"})
		if a.N != cs[0].pid && a.N != cs[1].pid {
			t.Fatalf("answered by pid %d, want one of %d, %d", a.N, cs[0].pid, cs[1].pid)
		}
	})
	t.Run("status shows the embedded server, its clients and its traffic", func(t *testing.T) {
		out := app.run("status")
		if !regexp.MustCompile(`nats: nats://127\.0\.0\.1:\d+  clients 2  messages in [1-9]\d* out [1-9]\d*`).MatchString(out) {
			t.Fatalf("status:\n%s", out)
		}
	})
}

func TestEmbeddedServerOutlivesReload(t *testing.T) {
	app := start(t, built(t, "./testdata/app"), "APP_COUNT=2")
	before := natsLine(t, app.run("status"))
	old := spread(t, app.addr, 2)
	app.run("reload")
	for _, c := range old { // the old children close their clients as they go
		for range c.in {
		}
	}
	cs := spread(t, app.addr, 2)
	for _, c := range cs {
		if c.pid == old[0].pid || c.pid == old[1].pid {
			t.Fatalf("a client reached old child %d after reload", c.pid)
		}
	}
	subscribed(t, cs[1], 2)
	cs[1].ok(t, map[string]any{"op": "publish", "data": "after reload"})
	for _, c := range cs {
		c.expect(t, "room:after reload")
	}
	if after := natsLine(t, app.run("status")); strings.Fields(after)[1] != strings.Fields(before)[1] {
		t.Fatalf("server address changed in reload: %q, then %q", before, after)
	}
}

// subscribed waits, bounded, until NATS has the "room" subscription of the
// procs processes c's clients sit in, one client each: testdata/app
// subscribes in OnWorkerStart, and NATS may get the SUB after the process
// answers its first client. A process answers a client count on its loop,
// so after OnWorkerStart, and on the same NATS connection, so after the SUB.
func subscribed(t *testing.T, c *wsClient, procs int) {
	t.Helper()
	waitCount(t, c, "clientcount", "", procs)
}

// natsLine is the embedded server's line of status.
func natsLine(t *testing.T, status string) string {
	t.Helper()
	for l := range strings.Lines(status) {
		if strings.HasPrefix(l, "nats: ") {
			return l
		}
	}
	t.Fatalf("no nats line in status:\n%s", status)
	return ""
}
