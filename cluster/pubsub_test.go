package cluster

import (
	"errors"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/workerman-go/workerman/internal/nettest"
	"github.com/workerman-go/workerman/worker"
)

func TestAQueueGivesEachMessageToOneSubscriber(t *testing.T) {
	nettest.Serve(t, worker.New("text://127.0.0.1:0"))
	if _, err := QueueSubscribe("jobs", "a b", func(*Msg) {}); !errors.Is(err, ErrBadName) {
		t.Fatalf("a queue name with a space: %v, want ErrBadName", err)
	}
	got := make(chan string, 100)
	for _, name := range []string{"one", "two"} {
		sub, err := QueueSubscribe("jobs", "workers", func(m *Msg) { got <- name + ":" + string(m.Data) })
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Unsubscribe()
	}
	const n = 20
	for i := range n {
		if err := Publish("jobs", []byte{byte('a' + i)}); err != nil {
			t.Fatal(err)
		}
	}
	// A plain request after the jobs: once it is answered, every job has
	// been handed out, so a job given twice would be waiting in got.
	ping, err := Subscribe("ping", func(m *Msg) { m.Respond([]byte("pong")) })
	if err != nil {
		t.Fatal(err)
	}
	defer ping.Unsubscribe()
	answered := make(chan error, 1)
	if err := Request("ping", nil, 10*time.Second, func(_ []byte, err error) { answered <- err }); err != nil {
		t.Fatal(err)
	}
	if err := <-answered; err != nil {
		t.Fatal(err)
	}
	seen := map[byte]bool{}
	for range n {
		select {
		case m := <-got:
			job := m[len(m)-1]
			if seen[job] {
				t.Fatalf("job %c handed out twice", job)
			}
			seen[job] = true
		case <-time.After(10 * time.Second):
			t.Fatalf("%d of %d jobs handed out", len(seen), n)
		}
	}
	select {
	case m := <-got:
		t.Fatalf("a job beyond the %d published: %s", n, m)
	default:
	}
}

func TestARequestNobodyAnswersFailsAtOnce(t *testing.T) {
	nettest.Serve(t, worker.New("text://127.0.0.1:0"))
	answered := make(chan error, 1)
	onLoop := make(chan bool, 1)
	// A minute: only no responders ends it in time for the test.
	if err := Request("nobody.home", nil, time.Minute, func(_ []byte, err error) {
		onLoop <- worker.OnLoop()
		answered <- err
	}); err != nil {
		t.Fatal(err)
	}
	if !<-onLoop {
		t.Error("the callback ran off the loop")
	}
	if err := <-answered; !errors.Is(err, nats.ErrNoResponders) {
		t.Fatalf("error %v, want nats.ErrNoResponders", err)
	}
}

func TestUnsubscribeDropsWhatWaitsForTheLoop(t *testing.T) {
	nd := loopNode(t)
	got := 0
	var sub *Subscription
	sub, err := Subscribe("once", func(*Msg) {
		got++
		sub.Unsubscribe()
	})
	if err != nil {
		t.Fatal(err)
	}
	counted := make(chan int, 1)
	probe, err := Subscribe("probe", func(*Msg) { counted <- got })
	if err != nil {
		t.Fatal(err)
	}
	defer probe.Unsubscribe()
	release := holdLoop()
	defer release()
	for range 10 {
		if err := Publish("once", nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := Publish("probe", nil); err != nil {
		t.Fatal(err)
	}
	inboxHolds(t, nd, 11) // all of them wait in one batch
	release()
	select {
	case n := <-counted:
		if n != 1 {
			t.Fatalf("the callback ran %d times; want once, then the rest dropped", n)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the probe did not arrive within 10s")
	}
}

// loopNode serves a text worker in the test process, so that the process
// has a running loop for the callbacks, and returns the process's node.
func loopNode(t *testing.T) *node {
	t.Helper()
	nettest.Serve(t, worker.New("text://127.0.0.1:0"))
	n, err := get()
	if err != nil {
		t.Fatal(err)
	}
	return n
}
