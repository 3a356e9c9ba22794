package eventloop

import (
	"net"
	"runtime"
	"sync"
	"syscall"
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

// listenOn makes l accept on a fresh loopback port; set, if given, runs on
// the listening socket first (socket options that accepted sockets inherit).
func listenOn(t *testing.T, l *Loop, paused bool, set func(fd uintptr), accept func(c *Conn)) (*Listener, string) {
	t.Helper()
	nl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer nl.Close()
	f, err := nl.(*net.TCPListener).File()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if set != nil {
		rc, err := f.SyscallConn()
		if err != nil {
			t.Fatal(err)
		}
		rc.Control(set)
	}
	var ln *Listener
	l.Exec(func() { ln, err = l.Listen(f, paused, accept) })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Exec(ln.Close) })
	return ln, nl.Addr().String()
}

// probe is a Handler that keeps what happened to its connection; read it
// on the loop (inside Exec).
type probe struct {
	data   []byte
	drains []bool
	closes []error
}

func (p *probe) OnData(_ *Conn, b []byte)     { p.data = append(p.data, b...) }
func (p *probe) OnDrain(_ *Conn, queued bool) { p.drains = append(p.drains, queued) }
func (p *probe) OnClose(_ *Conn, err error)   { p.closes = append(p.closes, err) }

// eventually polls cond on the loop until it holds.
func eventually(t *testing.T, l *Loop, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var ok bool
		l.Exec(func() { ok = cond() })
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// accepted starts a listener whose connections get a probe each, dials it,
// and returns both ends.
func accepted(t *testing.T, l *Loop, set func(fd uintptr)) (*Conn, *probe, *net.TCPConn) {
	t.Helper()
	return acceptedWith(t, l, set, nil)
}

// acceptedWith is accepted with a socket option for the peer too, set before
// it connects (a receive buffer set later does not shrink the window).
func acceptedWith(t *testing.T, l *Loop, set, setPeer func(fd uintptr)) (*Conn, *probe, *net.TCPConn) {
	t.Helper()
	conns := make(chan *Conn, 1)
	p := &probe{}
	_, addr := listenOn(t, l, false, set, func(c *Conn) {
		if !l.InLoop() {
			t.Error("accept ran off the loop")
		}
		c.SetHandler(p)
		conns <- c
	})
	d := net.Dialer{}
	if setPeer != nil {
		d.Control = func(_, _ string, rc syscall.RawConn) error { return rc.Control(setPeer) }
	}
	peer, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { peer.Close() })
	peer.SetDeadline(time.Now().Add(30 * time.Second))
	select {
	case c := <-conns:
		return c, p, peer.(*net.TCPConn)
	case <-time.After(30 * time.Second):
		t.Fatal("the loop never accepted")
		return nil, nil, nil
	}
}

// Discard drops what waits for a loop not yet running; what is queued
// after it runs once the loop starts.
func TestDiscardDropsWhatWaitsForTheLoop(t *testing.T) {
	l := newLoop(DefaultBackend())
	ran := make(chan string, 8)
	l.Post(func() { ran <- "task" })
	l.AddTimer(0, Once, func() { ran <- "timer" })
	l.AddSystemTimer(0, Once, func() { ran <- "system timer" })
	l.Discard()
	if n := l.TimerCount(); n != 0 {
		t.Fatalf("TimerCount = %d after Discard", n)
	}
	if err := l.Acquire(); err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	l.Post(func() { ran <- "after" })
	l.Exec(func() {})
	l.Exec(func() {}) // a whole turn of the loop: due timers have fired
	close(ran)
	var got []string
	for s := range ran {
		got = append(got, s)
	}
	if len(got) != 1 || got[0] != "after" {
		t.Fatalf("ran %q; want only what was queued after Discard", got)
	}
}
