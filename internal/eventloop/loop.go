package eventloop

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/workerman-go/workerman/internal/spare"
)

// Backend names a way of waiting for sockets.
type Backend string

const (
	// Epoll drives non-blocking sockets with epoll on one goroutine (Linux only).
	Epoll Backend = "epoll"
	// Portable uses net.Conn with a reader and a writer goroutine per connection,
	// handing bytes to the same loop. It works everywhere.
	Portable Backend = "portable"
)

// ErrStopped is returned when work is handed to a loop that has stopped.
var ErrStopped = errors.New("eventloop: loop stopped")

// ReadBufferSize is the size of the one read buffer each loop owns.
const ReadBufferSize = 64 << 10

// Loop is a process's reactor: one goroutine that runs every socket callback,
// every task and every timer, one at a time. It parks in the Go runtime's
// poller when idle, so it shares the process's threads fairly with the
// application's own goroutines.
type Loop struct {
	backend Backend
	poll    poller                    // loop-only; nil while not running
	waker   atomic.Pointer[pollerRef] // the same poller, for wake-ups from any goroutine

	owner   atomic.Uint64 // identifies the running loop goroutine (see isOwner)
	running atomic.Bool

	tmu    sync.Mutex
	timers timerHeap
	slots  timerSlots
	seq    uint64 // timers added so far

	systemTimers int // how many of the live timers are AddSystemTimer's

	qmu      sync.Mutex
	tasks    []func()
	spare    []func()
	wakeSent atomic.Bool
	ownTasks bool // tasks were posted on the loop: no wake-up was sent

	readBuf []byte
	free    freeList
	outputs spare.Stack[output] // output records no connection holds now
	dirty   []*Conn             // sent to and not yet written, in the order of their first send
	later   []later             // written early; their callbacks wait for the end of the callback
	// pending is how many bytes were sent since the last write-out; flushing
	// tells a write-out in progress (callbacks it runs may send).
	pending  int
	flushing bool
	lns      map[*Listener]struct{}
	pcs      map[*PacketConn]struct{}

	dial     dialer
	users    int           // guarded by defaultMu
	halting  chan struct{} // guarded by defaultMu; closed once a stop completes
	stopping bool
	done     chan struct{}
	wg       sync.WaitGroup // goroutines of the portable backend

	panics atomic.Uint64
}

var (
	defaultMu      sync.Mutex
	defaultLoop    *Loop
	defaultBackend = DefaultBackend()
)

// DefaultBackend is the backend a new loop uses unless SetBackend chose
// another: epoll on Linux, portable elsewhere. WORKERMAN_EVENT_LOOP=portable
// selects the portable one on Linux too.
func DefaultBackend() Backend {
	if os.Getenv("WORKERMAN_EVENT_LOOP") == string(Portable) || !epollAvailable {
		return Portable
	}
	return Epoll
}

// SetBackend chooses the backend of the process's loop. It takes effect the
// next time the loop is created, that is while no one holds it.
func SetBackend(b Backend) error {
	if b == Epoll && !epollAvailable {
		return fmt.Errorf("eventloop: backend %q is not available on %s", b, runtime.GOOS)
	}
	if b != Epoll && b != Portable {
		return fmt.Errorf("eventloop: unknown backend %q", b)
	}
	defaultMu.Lock()
	defer defaultMu.Unlock()
	if defaultLoop != nil && (defaultLoop.users > 0 || defaultLoop.halting != nil) {
		return errors.New("eventloop: cannot change the backend of a running loop")
	}
	defaultBackend = b
	if defaultLoop != nil {
		defaultLoop.backend = b
	}
	return nil
}

// Default returns the process's loop, creating it (not yet running) on first
// use; it stays the process's loop through every start and stop. Timers and
// tasks given to a loop that is not running wait for it to start.
func Default() *Loop {
	defaultMu.Lock()
	defer defaultMu.Unlock()
	if defaultLoop == nil {
		defaultLoop = newLoop(defaultBackend)
	}
	return defaultLoop
}

func newLoop(b Backend) *Loop {
	return &Loop{
		backend: b,
		lns:     make(map[*Listener]struct{}),
		pcs:     make(map[*PacketConn]struct{}),
	}
}

// Backend reports which backend the loop uses.
func (l *Loop) Backend() Backend { return l.backend }

// Acquire starts the loop for one more user; the first user starts its goroutine.
// Every Acquire is paired with a Release.
func (l *Loop) Acquire() error {
	defaultMu.Lock()
	defer defaultMu.Unlock()
	for l.halting != nil { // the last Release is still stopping the loop
		halted := l.halting
		defaultMu.Unlock()
		<-halted
		defaultMu.Lock()
	}
	if l.users > 0 {
		l.users++
		return nil
	}
	p, err := newPoller(l)
	if err != nil {
		return err
	}
	l.poll = p
	l.wakeSent.Store(false) // a wake-up posted while stopped went nowhere
	l.waker.Store(&pollerRef{p})
	l.readBuf = make([]byte, ReadBufferSize)
	l.stopping = false
	l.done = make(chan struct{})
	l.users = 1
	l.dial.reset()
	started := make(chan struct{})
	go l.run(started)
	<-started
	return nil
}

// Release gives back one Acquire. The last one stops the loop: it closes every
// listener and connection still open (their OnClose runs), drops every timer,
// and returns once the loop goroutine and every helper goroutine has ended and
// every file descriptor is closed. The loop stays the process's loop and may
// be started again. Release must not be called on the loop.
func (l *Loop) Release() {
	defaultMu.Lock()
	if l.users == 0 {
		defaultMu.Unlock()
		return
	}
	l.users--
	last := l.users == 0
	halted := make(chan struct{})
	if last {
		l.halting = halted
	}
	defaultMu.Unlock()
	if !last {
		return
	}
	l.Post(func() { l.stopping = true })
	<-l.done
	l.wg.Wait()
	// Work handed to the loop while it stopped was for connections that are gone.
	l.qmu.Lock()
	clear(l.tasks)
	l.tasks = l.tasks[:0]
	l.qmu.Unlock()
	defaultMu.Lock()
	l.halting = nil
	close(halted)
	defaultMu.Unlock()
}

// Discard drops the tasks and timers waiting for a loop that is not running,
// for a process whose loop is not to run what was queued before it: work
// queued by code that every process of a program runs, meant for others.
func (l *Loop) Discard() {
	l.qmu.Lock()
	clear(l.tasks)
	l.tasks = l.tasks[:0]
	l.qmu.Unlock()
	l.delTimers(true)
}

// InLoop reports whether the caller runs on the loop goroutine.
func (l *Loop) InLoop() bool {
	if !l.running.Load() {
		return false
	}
	return isOwner(l)
}

// Post queues fn to run on the loop and wakes it. Safe from any goroutine;
// a loop that is not running yet runs fn once it starts.
func (l *Loop) Post(fn func()) {
	l.qmu.Lock()
	l.tasks = append(l.tasks, fn)
	l.qmu.Unlock()
	if l.InLoop() {
		l.ownTasks = true // run once the callback returns, and before the loop sleeps
		return
	}
	if !l.wakeSent.Swap(true) {
		l.wake()
	}
}

// runOwnTasks runs what the callback that just returned posted, before the
// next event of the batch: what it hands back (an event stream's request
// state) then serves the next connection instead of piling up over a burst
// of thousands.
func (l *Loop) runOwnTasks() {
	if l.ownTasks {
		l.runTasks()
		l.flush()
	}
}

// Exec runs fn on the loop and waits for it. On the loop, or while the loop is
// not running (so no loop code can run), it simply calls fn.
func (l *Loop) Exec(fn func()) {
	if !l.running.Load() || l.InLoop() {
		fn()
		return
	}
	done := make(chan struct{})
	l.Post(func() {
		defer close(done)
		fn()
	})
	<-done
}

type pollerRef struct{ p poller }

func (l *Loop) wake() {
	if r := l.waker.Load(); r != nil {
		r.p.wake()
	}
}

// Panics is how many panics in callbacks, tasks and timers the loop recovered.
func (l *Loop) Panics() uint64 { return l.panics.Load() }

// Recovered logs a panic recovered from user code, with its stack, and counts it.
func (l *Loop) Recovered(where string, v any) {
	l.panics.Add(1)
	slog.Error("workerman: panic recovered", "in", where, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
}

func (l *Loop) run(started chan<- struct{}) {
	if ownerIsThread {
		runtime.LockOSThread()
	}
	markOwner(l)
	l.running.Store(true)
	close(started)
	defer func() {
		l.shutdown()
		l.running.Store(false)
		l.owner.Store(0)
		close(l.done)
	}()
	for !l.stopping {
		l.poll.wait(l.timeout())
		l.flush()
		l.runTasks()
		l.runTimers()
		l.flush()
	}
}

// timeout is how long the loop may sleep: until the next timer, not at all when
// tasks wait, or forever (-1).
func (l *Loop) timeout() time.Duration {
	l.qmu.Lock()
	pending := len(l.tasks) > 0
	l.qmu.Unlock()
	if pending {
		return 0
	}
	l.tmu.Lock()
	defer l.tmu.Unlock()
	if l.timers.n == 0 {
		return -1
	}
	d := time.Duration(l.timers.first().when - nanotime())
	if d < 0 {
		return 0
	}
	return d
}

func (l *Loop) runTasks() {
	l.wakeSent.Store(false)
	l.ownTasks = false
	l.qmu.Lock()
	tasks := l.tasks
	l.tasks = l.spare[:0]
	l.qmu.Unlock()
	for i, fn := range tasks {
		l.runTask(fn)
		tasks[i] = nil
	}
	l.qmu.Lock()
	l.spare = tasks[:0]
	l.qmu.Unlock()
}

func (l *Loop) runTask(fn func()) {
	defer func() {
		if r := recover(); r != nil {
			l.Recovered("posted task", r)
		}
	}()
	fn()
}

func (l *Loop) shutdown() {
	l.dial.stop()
	for ln := range l.lns {
		ln.Close()
	}
	for pc := range l.pcs {
		pc.Close()
	}
	l.runTasks() // connections accepted just before the listeners closed
	l.poll.eachConn((*Conn).Close)
	l.runTasks()
	l.delTimers(true)
	l.waker.Store(nil)
	l.poll.close()
	l.poll = nil
	l.readBuf = nil
	l.free = freeList{}
	l.outputs = spare.Stack[output]{}
}
