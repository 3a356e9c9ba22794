package eventloop

import (
	"net"
	"runtime"
	"sync"
	"testing"
	"time"
)

// backends runs fn on every backend of this system with a loop of its own.
func backends(t *testing.T, fn func(t *testing.T, l *Loop)) {
	list := []Backend{Portable}
	if epollAvailable {
		list = []Backend{Epoll, Portable}
	}
	for _, b := range list {
		t.Run(string(b), func(t *testing.T) {
			l := newLoop(b)
			if err := l.Acquire(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(l.Release)
			fn(t, l)
		})
	}
}

func waitFor(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(30 * time.Second):
		t.Fatalf("gave up waiting for %s", what)
	}
}

func TestPostedTasksRunOnTheLoopInOrder(t *testing.T) {
	backends(t, func(t *testing.T, l *Loop) {
		const goroutines, each = 8, 500
		var mu sync.Mutex
		last := make([]int, goroutines)
		offLoop := 0
		var wg sync.WaitGroup
		for g := range goroutines {
			wg.Go(func() {
				for i := 1; i <= each; i++ {
					l.Post(func() {
						if !l.InLoop() {
							offLoop++
						}
						mu.Lock()
						defer mu.Unlock()
						if last[g] != i-1 {
							t.Errorf("goroutine %d: task %d ran after %d", g, i, last[g])
						}
						last[g] = i
					})
				}
			})
		}
		wg.Wait()
		l.Exec(func() {})
		if offLoop != 0 {
			t.Fatalf("%d tasks ran off the loop", offLoop)
		}
		for g, n := range last {
			if n != each {
				t.Fatalf("goroutine %d: %d of %d tasks ran", g, n, each)
			}
		}
	})
}

func TestInLoopTellsTheLoopApart(t *testing.T) {
	backends(t, func(t *testing.T, l *Loop) {
		if l.InLoop() {
			t.Fatal("the test goroutine counts as the loop")
		}
		var on bool
		l.Exec(func() { on = l.InLoop() })
		if !on {
			t.Fatal("Exec's function does not count as the loop")
		}
	})
}

func TestAPanickingTaskIsRecoveredAndCounted(t *testing.T) {
	backends(t, func(t *testing.T, l *Loop) {
		before := l.Panics()
		l.Post(func() { panic("task") })
		ran := false
		l.Exec(func() { ran = true })
		if !ran || l.Panics() != before+1 {
			t.Fatalf("after a panicking task: next task ran %v, panics %d (want %d)", ran, l.Panics(), before+1)
		}
	})
}

func TestSystemTimersAreApartFromTheApplications(t *testing.T) {
	backends(t, func(t *testing.T, l *Loop) {
		l.AddTimer(time.Hour, Once, func() {})
		sys := l.AddSystemTimer(time.Hour, Repeating, func() {})
		if n := l.TimerCount(); n != 1 {
			t.Fatalf("TimerCount = %d with one application timer and one system timer", n)
		}
		l.DelAllTimers()
		if n := l.TimerCount(); n != 0 {
			t.Fatalf("TimerCount = %d after DelAllTimers", n)
		}
		if !l.DelTimer(sys) {
			t.Fatal("DelAllTimers removed a system timer")
		}
	})
}

func TestATimerWakesASleepingLoop(t *testing.T) {
	backends(t, func(t *testing.T, l *Loop) {
		fired := make(chan struct{})
		l.Exec(func() {}) // the loop is asleep with no timer at all
		l.AddTimer(5*time.Millisecond, Once, func() { close(fired) })
		waitFor(t, fired, "a timer added while the loop slept")
	})
}

// A loop stopped and started again must still be woken by a task posted to
// it: a wake-up sent while it was stopped went nowhere.
func TestALoopStartedAgainIsWokenByTasks(t *testing.T) {
	l := newLoop(DefaultBackend())
	for round := range 3 {
		if err := l.Acquire(); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		l.Post(func() { close(done) })
		waitFor(t, done, "a task posted after a restart")
		l.Release()
		// A goroutine posts while the loop stops, and Release drops the task
		// (as it does for work that arrives in that window): only its wake-up
		// flag is left behind.
		l.Post(func() {})
		l.qmu.Lock()
		l.tasks = l.tasks[:0]
		l.qmu.Unlock()
		if l.running.Load() {
			t.Fatalf("round %d: running after Release", round)
		}
	}
}

func TestDialHandsTheConnectionToTheLoop(t *testing.T) {
	backends(t, func(t *testing.T, l *Loop) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		accepted := make(chan net.Conn, 1)
		go func() {
			c, err := ln.Accept()
			if err == nil {
				accepted <- c
			}
		}()
		got := make(chan string, 1)
		h := &recorder{data: got}
		l.Dial("tcp", ln.Addr().String(), 5*time.Second, func(c *Conn, err error) {
			if err != nil {
				t.Errorf("dial: %v", err)
				close(got)
				return
			}
			if !l.InLoop() {
				t.Error("Dial's callback ran off the loop")
			}
			c.SetHandler(h)
			c.Write([]byte("ping"))
		})
		peer := <-accepted
		defer peer.Close()
		buf := make([]byte, 4)
		peer.SetDeadline(time.Now().Add(30 * time.Second))
		if _, err := peer.Read(buf); err != nil || string(buf) != "ping" {
			t.Fatalf("peer read %q, %v", buf, err)
		}
		peer.Write([]byte("pong"))
		if s := <-got; s != "pong" {
			t.Fatalf("loop read %q", s)
		}
	})
}

func TestDialReportsARefusedConnection(t *testing.T) {
	backends(t, func(t *testing.T, l *Loop) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		done := make(chan error, 1)
		l.Dial("tcp", addr, 5*time.Second, func(c *Conn, err error) { done <- err })
		if err := <-done; err == nil {
			t.Fatal("dialling a closed port succeeded")
		}
	})
}

// recorder is a Handler that reports the first bytes it reads.
type recorder struct {
	data chan string
	once sync.Once
}

func (r *recorder) OnData(_ *Conn, b []byte) {
	s := string(b)
	r.once.Do(func() { r.data <- s })
}
func (r *recorder) OnDrain(*Conn, bool)  {}
func (r *recorder) OnClose(*Conn, error) {}

func TestReleaseLeavesNoGoroutine(t *testing.T) {
	before := runtime.NumGoroutine()
	l := newLoop(DefaultBackend())
	if err := l.Acquire(); err != nil {
		t.Fatal(err)
	}
	l.Exec(func() {})
	l.Release()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Fatalf("%d goroutines after Release, %d before", n, before)
	}
}
