package timer_test

import (
	"testing"
	"time"

	"github.com/workerman-go/workerman/internal/eventloop"
	"github.com/workerman-go/workerman/timer"
	"github.com/workerman-go/workerman/worker"
)

// live is how many timers a batch keeps in the heap at once.
const live = 100_000

// batches calls fn with the sizes of the batches that make up b.N timers,
// none larger than live.
func batches(b *testing.B, fn func(n int)) {
	for left := b.N; left > 0; left -= live {
		fn(min(left, live))
	}
}

// BenchmarkTimers100k measures one timer's cost while up to 100k are live.
// Every op is one timer; adds run on the loop, as they do from callbacks.
func BenchmarkTimers100k(b *testing.B) {
	g, err := worker.Start()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(g.Stop)
	loop := eventloop.Default()
	noop := func() {}

	b.Run("add", func(b *testing.B) {
		b.ReportAllocs()
		batches(b, func(n int) {
			loop.Exec(func() {
				for range n {
					timer.Once(time.Hour, noop)
				}
			})
			b.StopTimer()
			timer.DelAll()
			b.StartTimer()
		})
	})

	b.Run("add and delete", func(b *testing.B) {
		b.ReportAllocs()
		ids := make([]timer.ID, 0, live)
		batches(b, func(n int) {
			loop.Exec(func() {
				ids = ids[:0]
				for range n {
					ids = append(ids, timer.Once(time.Hour, noop))
				}
				for _, id := range ids {
					timer.Del(id)
				}
			})
		})
	})

	b.Run("add and fire", func(b *testing.B) {
		b.ReportAllocs()
		batches(b, func(n int) {
			done := make(chan struct{})
			fired := 0
			fire := func() {
				if fired++; fired == n {
					close(done)
				}
			}
			// One loop task adds the whole batch, so the heap holds all n
			// before the first fires.
			loop.Exec(func() {
				for range n {
					timer.Once(0, fire)
				}
			})
			<-done
		})
	})

	b.Run("repeating, one tick each", func(b *testing.B) {
		b.ReportAllocs()
		batches(b, func(n int) {
			done := make(chan struct{})
			fired := 0
			tick := func() {
				if fired++; fired == n {
					timer.DelAll()
					close(done)
				}
			}
			loop.Exec(func() {
				for range n {
					timer.Add(time.Millisecond, tick)
				}
			})
			<-done
		})
	})
}

// BenchmarkTimeAfterFunc100k is the peer: the runtime's own timers, each
// running its function on a goroutine of its own.
func BenchmarkTimeAfterFunc100k(b *testing.B) {
	b.Run("add and stop", func(b *testing.B) {
		b.ReportAllocs()
		ts := make([]*time.Timer, 0, live)
		noop := func() {}
		batches(b, func(n int) {
			ts = ts[:0]
			for range n {
				ts = append(ts, time.AfterFunc(time.Hour, noop))
			}
			for _, t := range ts {
				t.Stop()
			}
		})
	})
}
