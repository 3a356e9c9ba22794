package cluster

import (
	"bufio"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/internal/nettest"
	"github.com/workerman-go/workerman/worker"
)

// holdLoop keeps the event loop busy until the returned release is called,
// as a loop that falls behind would be. Defer release before anything that
// waits for the loop.
func holdLoop() (release func()) {
	held, done := make(chan struct{}), make(chan struct{})
	worker.Post(func() { close(held); <-done })
	<-held
	var once sync.Once
	return func() { once.Do(func() { close(done) }) }
}

// inboxHolds waits, bounded, until NATS has handed the inbox n messages.
func inboxHolds(t *testing.T, nd *node, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		nd.mu.Lock()
		k := len(nd.inbox)
		nd.mu.Unlock()
		if k >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the inbox holds %d messages, want %d", k, n)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestDeliveriesOfOneRoundLeaveInOneWriteAndInOrder(t *testing.T) {
	w := worker.New("text://127.0.0.1:0")
	bound := make(chan *connection.TcpConnection, 1)
	w.OnMessage = func(c *connection.TcpConnection, data any) {
		if err := BindUid(c, data.(string)); err != nil {
			t.Error(err)
		}
		bound <- c
	}
	g, err := worker.Start(w)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Stop()
	uids := []string{"ann", "bob"}
	conns := make([]net.Conn, len(uids))
	cs := make([]*connection.TcpConnection, len(uids))
	for i, uid := range uids {
		conn, err := net.Dial("tcp", w.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(30 * time.Second))
		fmt.Fprintf(conn, "%s\n", uid)
		conns[i], cs[i] = conn, <-bound
	}
	nd, err := get()
	if err != nil {
		t.Fatal(err)
	}

	// A probe on the loop, after the deliveries, in the same round.
	type state struct{ buffered, written int }
	seen := make(chan []state, 1)
	probe, err := Subscribe("probe", func(*Msg) {
		var s []state
		for _, c := range cs {
			s = append(s, state{c.SendBufferSize(), int(c.BytesWritten())})
		}
		seen <- s
	})
	if err != nil {
		t.Fatal(err)
	}
	defer probe.Unsubscribe()

	// Another process's sends to the uids, interleaved, through NATS, while
	// the loop is busy, then the probe: one publisher, so they arrive in
	// this order.
	release := holdLoop()
	defer release()
	const count, size = 100, len("ann000\n")
	for i := range count {
		for _, uid := range uids {
			e := envelope{op: opSend, kind: kindString, origin: selfID ^ 1, value: fmt.Sprintf("%s%03d", uid, i)}
			if err := nd.publish(subject("u", uid), "", appendEnvelope(nil, &e)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := Publish("probe", nil); err != nil {
		t.Fatal(err)
	}
	inboxHolds(t, nd, len(uids)*count+1)
	release()
	select {
	case s := <-seen:
		for i, s := range s {
			if s.buffered != count*size || s.written != 0 {
				t.Fatalf("%s after the round's deliveries: %d bytes waiting, %d written; want all %d waiting for one write", uids[i], s.buffered, s.written, count*size)
			}
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the probe did not arrive within 10s")
	}
	for u, conn := range conns {
		r := bufio.NewReader(conn)
		for i := range count {
			line, err := r.ReadString('\n')
			if err != nil {
				t.Fatal(err)
			}
			if want := fmt.Sprintf("%s%03d\n", uids[u], i); line != want {
				t.Fatalf("delivery %d to %s is %q, want %q", i, uids[u], line, want)
			}
		}
	}
}

func TestAProcessThatFallsBehindLogsItsDropsBriefly(t *testing.T) {
	nd := loopNode(t)
	var logs nettest.SyncBuffer
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, nil)))

	nd.slow.mu.Lock()
	nd.slow.last = time.Time{} // a warning of an earlier test does not hold this one back
	nd.slow.mu.Unlock()
	const subjects = 20
	var subs []*Subscription
	for i := range subjects {
		sub, err := Subscribe(fmt.Sprintf("flood.%d", i), func(*Msg) {})
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Unsubscribe()
		subs = append(subs, sub)
	}
	began := time.Now()
	release := holdLoop()
	defer release()
	// Twice InboxSize waits for the loop (NATS's channel, then the inbox);
	// what comes on top is dropped, on every subject.
	published := 2*InboxSize + 10*subjects
	for i := range published {
		if err := Publish(fmt.Sprintf("flood.%d", i%subjects), []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	inboxHolds(t, nd, InboxSize)
	const warning = "slow consumer"
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(logs.String(), warning) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no slow-consumer warning 10s after %d messages for a held loop; log:\n%s", published, logs.String())
		}
		time.Sleep(time.Millisecond)
	}
	// Every subject reported its drops; the log got one line a second at most.
	if n, most := strings.Count(logs.String(), warning), 1+int(time.Since(began)/time.Second); n > most {
		t.Fatalf("%d slow-consumer warnings in %s, want at most %d", n, time.Since(began), most)
	}
	dropped := 0
	for _, s := range subs {
		n, err := s.sub.Dropped()
		if err != nil {
			t.Fatal(err)
		}
		dropped += n
	}
	if dropped == 0 {
		t.Fatal("NATS dropped nothing: the flood did not pass the bound")
	}
	// The loop catches up with what was kept.
	release()
	deadline = time.Now().Add(10 * time.Second)
	for {
		nd.mu.Lock()
		left := len(nd.inbox) + len(nd.ch)
		nd.mu.Unlock()
		if left == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d messages still wait for the loop 10s after it was released", left)
		}
		time.Sleep(time.Millisecond)
	}
}
