//go:build linux

package cluster_test

import (
	"strconv"
	"strings"
	"syscall"
	"testing"
)

func TestAddressingAcrossProcesses(t *testing.T) {
	app := start(t, built(t, "./testdata/app"), "APP_COUNT=2")
	cs := spread(t, app.addr, 2)
	a, b := cs[0], cs[1]

	t.Run("a uid reaches every connection bound to it, in both processes", func(t *testing.T) {
		a.ok(t, map[string]any{"op": "bind", "name": "alice"})
		b.ok(t, map[string]any{"op": "bind", "name": "alice"})
		// A bind is answered once its process has subscribed, before NATS
		// has the subscription; a count is answered on that subscription.
		waitCount(t, a, "uidcount", "alice", 2)
		b.ok(t, map[string]any{"op": "touid", "name": "alice", "data": "hi alice"})
		a.expect(t, "hi alice")
		b.expect(t, "hi alice")
		waitCount(t, a, "uidonline", "alice", 1)
		waitCount(t, a, "uidonline", "nobody", 0)
	})
	t.Run("a group send skips the excluded client", func(t *testing.T) {
		a.ok(t, map[string]any{"op": "join", "name": "room1"})
		b.ok(t, map[string]any{"op": "join", "name": "room1"})
		waitCount(t, b, "groupcount", "room1", 2)
		b.ok(t, map[string]any{"op": "togroup", "name": "room1", "data": "not for a", "exclude": []string{a.id}})
		b.expect(t, "not for a")
		a.ok(t, map[string]any{"op": "togroup", "name": "room1", "data": "for all"})
		a.expect(t, "for all") // the first thing a receives
		b.expect(t, "for all")
		b.ok(t, map[string]any{"op": "leave", "name": "room1"})
		waitCount(t, b, "groupcount", "room1", 1)
	})
	t.Run("what one process sends to a group arrives in its order", func(t *testing.T) {
		a.ok(t, map[string]any{"op": "join", "name": "ordered"})
		waitCount(t, b, "groupcount", "ordered", 1)
		const n = 500
		b.ok(t, map[string]any{"op": "flood", "name": "ordered", "n": n, "size": 64})
		for i := range n {
			if m := a.next(t); !strings.HasPrefix(m, strconv.Itoa(i)+" ") {
				t.Fatalf("delivery %d is %.20q", i, m)
			}
		}
	})
	t.Run("everyone of the gateway gets a send to all", func(t *testing.T) {
		waitCount(t, a, "clientcount", "", 2)
		a.ok(t, map[string]any{"op": "toall", "data": "to all but b", "exclude": []string{b.id}})
		a.expect(t, "to all but b")
		b.ok(t, map[string]any{"op": "toall", "data": "to all"})
		b.expect(t, "to all")
		a.expect(t, "to all")
	})
	t.Run("a client is reached, checked and closed by its id from another process", func(t *testing.T) {
		a.ok(t, map[string]any{"op": "toclient", "name": b.id, "data": "just b"})
		b.expect(t, "just b")
		waitCount(t, a, "online", b.id, 1)
		a.ok(t, map[string]any{"op": "close", "name": b.id})
		for range b.in { // drained once b's connection is closed by the server
		}
		waitCount(t, a, "online", b.id, 0)
		waitCount(t, a, "uidcount", "alice", 1)
	})
	t.Run("bad names and big messages get clear errors", func(t *testing.T) {
		for _, cmd := range []map[string]any{
			{"op": "bind", "name": "a.b"},
			{"op": "join", "name": "room *"},
			{"op": "touid", "name": ">", "data": "x"},
			{"op": "togroup", "name": strings.Repeat("g", 200), "data": "x"},
			{"op": "toclient", "name": "not-an-id", "data": "x"},
		} {
			if e := a.do(t, cmd).Err; !strings.Contains(e, "bad") {
				t.Errorf("%v: error %q, want a bad name or id", cmd, e)
			}
		}
		big := strings.Repeat("x", 2<<20)
		if e := a.do(t, map[string]any{"op": "publish", "data": big}).Err; !strings.Contains(e, "too large") {
			t.Errorf("a 2 MiB publish: error %q, want too large", e)
		}
		if e := a.do(t, map[string]any{"op": "touid", "name": "alice", "data": big}).Err; !strings.Contains(e, "too large") {
			t.Errorf("a 2 MiB send: error %q, want too large", e)
		}
	})
}

func TestKilledProcessLeavesNoMembers(t *testing.T) {
	app := start(t, built(t, "./testdata/app"), "APP_COUNT=2")
	cs := spread(t, app.addr, 2)
	survivor, victim := cs[0], cs[1]
	survivor.ok(t, map[string]any{"op": "join", "name": "team"})
	victim.ok(t, map[string]any{"op": "join", "name": "team"})
	victim.ok(t, map[string]any{"op": "bind", "name": "bob"})
	waitCount(t, survivor, "groupcount", "team", 2)
	if err := syscall.Kill(victim.pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for range victim.in {
	}
	// The server notices the dead process's session at once (its socket
	// closed); the counts follow.
	waitCount(t, survivor, "groupcount", "team", 1)
	waitCount(t, survivor, "uidcount", "bob", 0)
	survivor.ok(t, map[string]any{"op": "togroup", "name": "team", "data": "still here"})
	survivor.expect(t, "still here")
	// The master replaced the victim; its replacement serves the cluster too.
	fresh := spread(t, app.addr, 2)
	fresh[0].ok(t, map[string]any{"op": "join", "name": "team"})
	fresh[1].ok(t, map[string]any{"op": "join", "name": "team"})
	waitCount(t, survivor, "groupcount", "team", 3)
	survivor.ok(t, map[string]any{"op": "togroup", "name": "team", "data": "welcome"})
	for _, c := range append(fresh, survivor) {
		c.expect(t, "welcome")
	}
}
