package eventloop

import (
	"testing"
	"time"
)

// Each backend's poller, on its own: a wait ends when another goroutine
// wakes it, and when its timeout passes.
func TestAWaitEndsOnAWakeFromAnotherGoroutine(t *testing.T) {
	list := []Backend{Portable}
	if epollAvailable {
		list = append(list, Epoll)
	}
	for _, b := range list {
		t.Run(string(b), func(t *testing.T) {
			p, err := newPoller(newLoop(b))
			if err != nil {
				t.Fatal(err)
			}
			for range 3 {
				done := make(chan struct{})
				go func() {
					defer close(done)
					p.wait(-1)
				}()
				go p.wake()
				waitFor(t, done, "a woken wait")
			}
			p.wait(time.Millisecond) // a timeout alone ends it too
			p.close()
			p.wake() // a wake after close goes nowhere, and does not write to a reused descriptor
		})
	}
}
