package timer_test

import (
	"fmt"
	"time"

	"github.com/workerman-go/workerman/timer"
	"github.com/workerman-go/workerman/worker"
)

// A repeating timer that stops itself after three ticks, and a one-shot timer
// that runs once. Both run on the process's event loop, so they share the
// counter without a lock.
func Example() {
	done := make(chan struct{})
	w := worker.New("") // no socket: a worker only for its OnWorkerStart
	w.OnWorkerStart = func(*worker.Worker) {
		ticks := 0
		var id timer.ID
		id = timer.Add(10*time.Millisecond, func() {
			ticks++
			fmt.Println("tick", ticks)
			if ticks == 3 {
				timer.Del(id)
				timer.Once(0, func() {
					fmt.Println("live timers:", timer.Count())
					close(done)
				})
			}
		})
	}
	g, err := worker.Start(w)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer g.Stop()
	<-done
	// Output:
	// tick 1
	// tick 2
	// tick 3
	// live timers: 0
}

// Once is Workerman's delay: run a function once, later.
func ExampleOnce() {
	g, err := worker.Start()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer g.Stop()
	done := make(chan struct{})
	timer.Once(5*time.Millisecond, func() {
		fmt.Println("five milliseconds later")
		close(done)
	})
	<-done
	// Output: five milliseconds later
}

// Del stops a timer before it fires; it reports whether the timer was live.
func ExampleDel() {
	id := timer.Once(time.Hour, func() { fmt.Println("never") })
	fmt.Println(timer.Del(id))
	fmt.Println(timer.Del(id))
	// Output:
	// true
	// false
}
