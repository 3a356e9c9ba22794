package connection

import (
	"runtime/debug"
	"sync/atomic"
	"time"
)

// DefaultInputBudget is the process's default InputBudget.
const DefaultInputBudget = 256 << 20

var inputBudget atomic.Int64

func init() { inputBudget.Store(DefaultInputBudget) }

// InputBudget is how many bytes of incomplete packages all the connections
// of the process may hold together (MaxPackageSize bounds one connection's
// share). A read that would take the total past it closes its connection,
// with OnError(RecvBudgetFail, ...) and a logged reason. Safe from any
// goroutine.
func InputBudget() int64 { return inputBudget.Load() }

// SetInputBudget sets InputBudget; n <= 0 restores DefaultInputBudget. Safe
// from any goroutine.
func SetInputBudget(n int64) {
	if n <= 0 {
		n = DefaultInputBudget
	}
	inputBudget.Store(n)
}

// Memory given back: once this much has been let go in large buffers since
// the heap was last returned to the system, it is returned again, at most
// once per releaseEvery.
const (
	releaseAfter = 64 << 20
	releaseEvery = time.Second
)

// heldInput counts the bytes of incomplete packages of the process.
// Loop-only, like the tables of open connections.
type heldInput struct {
	bytes int
}

var held heldInput

// take counts delta more bytes held (delta may be negative); it refuses a
// growth that passes the budget.
func (h *heldInput) take(delta int) bool {
	if delta > 0 && int64(h.bytes+delta) > InputBudget() {
		return false
	}
	if delta < 0 {
		h.release(-delta)
		return true
	}
	h.bytes += delta
	return true
}

// release counts n bytes let go.
func (h *heldInput) release(n int) {
	if n <= 0 {
		return
	}
	h.bytes -= n
	handBack.letGo(n)
}

// memoryReturn hands memory back to the system after a burst of large
// buffers let go (incomplete packages, output dropped unsent). The runtime
// would do so only slowly, and an idle server does not even collect them;
// this does it soon after, off the loop (it costs a collection). Loop-only,
// but for the flag.
type memoryReturn struct {
	since   int         // bytes let go since the heap was last returned
	pending atomic.Bool // a return is scheduled
}

var handBack memoryReturn

func (r *memoryReturn) letGo(n int) {
	r.since += n
	if r.since < releaseAfter || !r.pending.CompareAndSwap(false, true) {
		return
	}
	r.since = 0
	time.AfterFunc(releaseEvery, func() {
		debug.FreeOSMemory()
		r.pending.Store(false)
	})
}
