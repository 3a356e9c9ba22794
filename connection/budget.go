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

// Memory given back: once this much input has been let go since the heap
// was last returned to the system, it is returned again, at most once per
// releaseEvery.
const (
	releaseAfter = 64 << 20
	releaseEvery = time.Second
)

// heldInput counts the bytes of incomplete packages of the process.
// Loop-only, like the tables of open connections.
type heldInput struct {
	bytes    int
	released int         // let go since the heap was last returned
	freeing  atomic.Bool // a return of memory is scheduled
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

// release counts n bytes let go. After a burst of large incomplete packages
// the runtime would hand their memory back to the system only slowly; this
// hands it back soon after, off the loop (it costs a collection).
func (h *heldInput) release(n int) {
	if n <= 0 {
		return
	}
	h.bytes -= n
	h.released += n
	if h.released < releaseAfter || !h.freeing.CompareAndSwap(false, true) {
		return
	}
	h.released = 0
	time.AfterFunc(releaseEvery, func() {
		debug.FreeOSMemory()
		h.freeing.Store(false)
	})
}
