package timer_test

import (
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/internal/eventloop"
	"github.com/workerman-go/workerman/internal/nettest"
	"github.com/workerman-go/workerman/timer"
	"github.com/workerman-go/workerman/worker"
)

// runLoop starts the process's event loop for the test and stops it after.
func runLoop(t *testing.T) {
	t.Helper()
	g, err := worker.Start()
	if err != nil {
		t.Fatalf("start the event loop: %v", err)
	}
	t.Cleanup(g.Stop)
}

// onLoop runs fn on the loop and waits for it, so that a test reads the
// state its timers write without a data race.
func onLoop(fn func()) { eventloop.Default().Exec(fn) }

func wait(t *testing.T, done <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-done:
	case <-time.After(nettest.Timeout):
		t.Fatalf("gave up waiting for %s", what)
	}
}

// sentinel waits for a one-shot timer due after d: every timer due earlier
// has fired (or been skipped) by then, so the test can count without timing.
func sentinel(t *testing.T, d time.Duration) {
	t.Helper()
	done := make(chan struct{})
	timer.Once(d, func() { close(done) })
	wait(t, done, "the sentinel timer")
}

func TestOnceFiresOnce(t *testing.T) {
	runLoop(t)
	fired := 0
	done := make(chan struct{})
	id := timer.Once(time.Millisecond, func() {
		fired++
		if fired == 1 {
			close(done)
		}
	})
	wait(t, done, "the one-shot timer")
	sentinel(t, 20*time.Millisecond)
	onLoop(func() {
		if fired != 1 {
			t.Errorf("the one-shot timer fired %d times, want 1", fired)
		}
	})
	if timer.Del(id) {
		t.Error("Del of a one-shot timer that has fired reported it live")
	}
	if n := timer.Count(); n != 0 {
		t.Errorf("Count after the one-shot timer fired = %d, want 0", n)
	}
}

func TestAddRepeatsUntilDeletedFromItsOwnCallback(t *testing.T) {
	runLoop(t)
	const ticks = 5
	fired := 0
	done := make(chan struct{})
	// Added on the loop, as in a callback: the callback reads id, so id must
	// be stored before the loop can fire the timer.
	onLoop(func() {
		var id timer.ID
		id = timer.Add(time.Millisecond, func() {
			fired++
			if fired == ticks {
				if !timer.Del(id) {
					t.Error("Del from the timer's own callback reported it gone")
				}
				close(done)
			}
		})
	})
	wait(t, done, "five ticks")
	sentinel(t, 20*time.Millisecond)
	onLoop(func() {
		if fired != ticks {
			t.Errorf("the repeating timer fired %d times, want %d", fired, ticks)
		}
	})
	if n := timer.Count(); n != 0 {
		t.Errorf("Count after the timer deleted itself = %d, want 0", n)
	}
}

func TestDelFromAnotherTimersCallback(t *testing.T) {
	t.Run("a repeating timer stops ticking once another timer deletes it", func(t *testing.T) {
		runLoop(t)
		ticks, atDel := 0, -1
		done := make(chan struct{})
		onLoop(func() {
			victim := timer.Add(time.Millisecond, func() { ticks++ })
			timer.Once(10*time.Millisecond, func() {
				if !timer.Del(victim) {
					t.Error("Del of a live repeating timer reported it gone")
				}
				atDel = ticks
				close(done)
			})
		})
		wait(t, done, "the deleting timer")
		sentinel(t, 20*time.Millisecond)
		onLoop(func() {
			if ticks != atDel {
				t.Errorf("the deleted timer ticked %d more times", ticks-atDel)
			}
		})
	})
	t.Run("a timer deleted by one due at the same moment never fires", func(t *testing.T) {
		runLoop(t)
		victimFired := false
		var victim timer.ID
		onLoop(func() {
			// Added in one loop task, so neither can fire before both exist;
			// the first added is due no later than the second and runs first.
			timer.Once(0, func() {
				if !timer.Del(victim) {
					t.Error("Del of a timer that has not fired reported it gone")
				}
			})
			victim = timer.Once(0, func() { victimFired = true })
		})
		sentinel(t, 10*time.Millisecond)
		onLoop(func() {
			if victimFired {
				t.Error("a timer deleted before its turn fired anyway")
			}
		})
	})
}

func TestDelFromAnotherGoroutine(t *testing.T) {
	runLoop(t)
	ticks := 0
	ticked := make(chan struct{}, 1)
	id := timer.Add(time.Millisecond, func() {
		ticks++
		select {
		case ticked <- struct{}{}:
		default:
		}
	})
	wait(t, ticked, "a first tick")
	deleted := make(chan bool)
	go func() { deleted <- timer.Del(id) }()
	if !<-deleted {
		t.Fatal("Del from another goroutine reported a live timer gone")
	}
	var atDel int
	onLoop(func() { atDel = ticks })
	sentinel(t, 20*time.Millisecond)
	onLoop(func() {
		if ticks != atDel {
			t.Errorf("the timer ticked %d times after Del returned", ticks-atDel)
		}
	})
}

func TestAddAndDelFromManyGoroutines(t *testing.T) {
	runLoop(t)
	const goroutines, each = 8, 200
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			ids := make([]timer.ID, 0, each)
			for range each {
				ids = append(ids, timer.Once(time.Hour, func() { t.Error("an hour-long timer fired") }))
			}
			for _, id := range ids {
				if !timer.Del(id) {
					t.Errorf("Del(%d) reported a live timer gone", id)
				}
			}
		})
	}
	wg.Wait()
	if n := timer.Count(); n != 0 {
		t.Errorf("Count after every goroutine deleted its timers = %d, want 0", n)
	}
}

func TestDelAll(t *testing.T) {
	runLoop(t)
	fired := 0
	for range 5 {
		timer.Once(5*time.Millisecond, func() { fired++ })
		timer.Add(time.Hour, func() { fired++ })
	}
	if n := timer.Count(); n != 10 {
		t.Fatalf("Count after adding 10 timers = %d, want 10", n)
	}
	timer.DelAll()
	if n := timer.Count(); n != 0 {
		t.Fatalf("Count after DelAll = %d, want 0", n)
	}
	sentinel(t, 20*time.Millisecond)
	onLoop(func() {
		if fired != 0 {
			t.Errorf("%d timers fired after DelAll", fired)
		}
	})
}

func TestDelAllFromInsideACallbackStopsTimersDueInTheSameRound(t *testing.T) {
	runLoop(t)
	fired := 0
	deleted := make(chan struct{})
	onLoop(func() {
		timer.Once(0, func() {
			timer.DelAll()
			close(deleted)
		})
		timer.Once(0, func() { fired++ })
		timer.Add(0, func() { fired++ })
	})
	wait(t, deleted, "the timer calling DelAll")
	sentinel(t, 10*time.Millisecond)
	onLoop(func() {
		if fired != 0 {
			t.Errorf("%d timers fired after DelAll in an earlier callback of the round", fired)
		}
	})
}

func TestCount(t *testing.T) {
	runLoop(t)
	tests := []struct {
		name string
		do   func() int // returns the change in live timers it expects
	}{
		{"adding a repeating timer counts one more", func() int { timer.Add(time.Hour, func() {}); return 1 }},
		{"adding a one-shot timer counts one more", func() int { timer.Once(time.Hour, func() {}); return 1 }},
		{"deleting a live timer counts one less", func() int { timer.Del(timer.Add(time.Hour, func() {})); return 0 }},
		{"deleting an unknown id changes nothing", func() int { timer.Del(1 << 60); return 0 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := timer.Count()
			want := before + tt.do()
			if got := timer.Count(); got != want {
				t.Errorf("Count = %d, want %d", got, want)
			}
			if got := connection.Stats().Timers; got != want {
				t.Errorf("Stats().Timers = %d, want %d", got, want)
			}
		})
	}
}

func TestTimersDueTogetherFireInTheOrderAdded(t *testing.T) {
	runLoop(t)
	var order []int
	onLoop(func() {
		for i := range 10 {
			timer.Once(0, func() { order = append(order, i) })
		}
	})
	sentinel(t, 10*time.Millisecond)
	onLoop(func() {
		want := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
		if len(order) != len(want) {
			t.Fatalf("fired %v, want %v", order, want)
		}
		for i := range want {
			if order[i] != want[i] {
				t.Fatalf("fired %v, want %v", order, want)
			}
		}
	})
}

func TestShorterDelayFiresFirst(t *testing.T) {
	runLoop(t)
	var order []string
	done := make(chan struct{})
	onLoop(func() {
		timer.Once(30*time.Millisecond, func() { order = append(order, "late"); close(done) })
		timer.Once(-time.Second, func() { order = append(order, "negative counts as zero") })
		timer.Once(10*time.Millisecond, func() { order = append(order, "soon") })
	})
	wait(t, done, "the late timer")
	onLoop(func() {
		got := strings.Join(order, ", ")
		if want := "negative counts as zero, soon, late"; got != want {
			t.Errorf("fired %q, want %q", got, want)
		}
	})
}

func TestCallbacksRunOnTheLoop(t *testing.T) {
	runLoop(t)
	done := make(chan bool, 1)
	timer.Once(0, func() { done <- eventloop.Default().InLoop() })
	select {
	case inLoop := <-done:
		if !inLoop {
			t.Error("a timer callback ran off the event loop")
		}
	case <-time.After(nettest.Timeout):
		t.Fatal("the timer never fired")
	}
}

// captureLog sends the default logger to a buffer for the test.
func captureLog(t *testing.T) *nettest.SyncBuffer {
	t.Helper()
	buf := &nettest.SyncBuffer{}
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(buf, nil)))
	t.Cleanup(func() { slog.SetDefault(old) })
	return buf
}

func TestPanickingTimer(t *testing.T) {
	tests := []struct {
		name string
		add  func(d time.Duration, fn func()) timer.ID
	}{
		{"a repeating timer that panics is recovered, counted and deleted", timer.Add},
		{"a one-shot timer that panics is recovered and counted", timer.Once},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs := captureLog(t)
			runLoop(t)
			before := connection.Stats().Panics
			calls := 0
			id := tt.add(time.Millisecond, func() {
				calls++
				panic("boom from a timer")
			})
			sentinel(t, 20*time.Millisecond)
			onLoop(func() {
				if calls != 1 {
					t.Errorf("the panicking timer ran %d times, want 1", calls)
				}
			})
			if got := connection.Stats().Panics - before; got != 1 {
				t.Errorf("Stats().Panics grew by %d, want 1", got)
			}
			if timer.Del(id) {
				t.Error("the panicking timer is still live")
			}
			if out := logs.String(); !strings.Contains(out, "panic recovered") || !strings.Contains(out, "boom from a timer") {
				t.Errorf("log lacks the recovered panic:\n%s", out)
			}
		})
	}
}

func TestTimersAddedBeforeTheLoopRunsFireOnceItRuns(t *testing.T) {
	fired := make(chan struct{}, 2)
	id := timer.Once(0, func() { fired <- struct{}{} })
	if n := timer.Count(); n != 1 {
		t.Fatalf("Count before the loop runs = %d, want 1", n)
	}
	select {
	case <-fired:
		t.Fatal("a timer fired while no loop was running")
	default:
	}
	runLoop(t)
	wait(t, fired, "the timer added before the loop started")
	if timer.Del(id) {
		t.Error("the one-shot timer is still live after firing")
	}
}

func TestRepeatingIntervalIsAtLeastAMillisecond(t *testing.T) {
	runLoop(t)
	var fired int
	var id timer.ID
	start := time.Now()
	onLoop(func() { id = timer.Add(0, func() { fired++ }) })
	sentinel(t, 20*time.Millisecond)
	var n int
	onLoop(func() {
		timer.Del(id)
		n = fired
	})
	// A late loop fires less often, never more: one tick per elapsed millisecond at most.
	if limit := int(time.Since(start)/time.Millisecond) + 1; n > limit {
		t.Fatalf("a zero-interval timer fired %d times in %d ms", n, limit-1)
	}
	if n == 0 {
		t.Fatal("a zero-interval timer never fired")
	}
}

func TestIdsAreNotReusedAcrossLoopRestarts(t *testing.T) {
	var first timer.ID
	t.Run("first run", func(t *testing.T) {
		runLoop(t)
		onLoop(func() { first = timer.Once(time.Hour, func() {}) })
	})
	runLoop(t)
	var second timer.ID
	onLoop(func() { second = timer.Once(time.Hour, func() {}) })
	if second <= first {
		t.Fatalf("after a restart a timer got id %d, not above the earlier %d", second, first)
	}
	if timer.Del(first) {
		t.Fatal("an id from before the restart deleted a timer")
	}
}
