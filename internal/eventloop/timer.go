package eventloop

import (
	"container/heap"
	"time"
)

// TimerID names a timer: the timer's slot in its low slotBits and the
// loop's count of timers so far above them, so that finding a timer by id
// is an index, not a lookup. Within a loop's first 2^40 timers no id is 0
// and none is used twice.
type TimerID uint64

// slotBits is how many live timers a loop can hold at once: 2^24.
const slotBits = 24

// pages is a growable array in pages of pageLen that never move: an array
// of many timers grows without copying, so it leaves no garbage behind.
type pages[T any] struct {
	p [][]T
	n int
}

const pageLen = 256

func (a *pages[T]) len() int { return a.n }

// at is element i, i < len.
func (a *pages[T]) at(i int) *T { return &a.p[uint(i)/pageLen][uint(i)%pageLen] }

func (a *pages[T]) push(v T) {
	if a.n == len(a.p)*pageLen {
		a.p = append(a.p, make([]T, pageLen))
	}
	a.n++
	*a.at(a.n - 1) = v
}

// pop drops the last element.
func (a *pages[T]) pop() {
	a.n--
	var zero T
	*a.at(a.n) = zero
}

// timerSlots holds the live timers by slot, reusing the slots of the gone.
type timerSlots struct {
	at   pages[*timerEntry]
	free []int32
	live int
}

// put gives t a slot and the id that names it there.
func (s *timerSlots) put(t *timerEntry, seq uint64) {
	var i int
	if n := len(s.free); n > 0 {
		i = int(s.free[n-1])
		s.free = s.free[:n-1]
		*s.at.at(i) = t
	} else {
		if s.at.len() == 1<<slotBits {
			panic("eventloop: more than 2^24 live timers")
		}
		i = s.at.len()
		s.at.push(t)
	}
	t.id = TimerID(seq<<slotBits | uint64(i))
	s.live++
}

// get is the live timer named id, or nil.
func (s *timerSlots) get(id TimerID) *timerEntry {
	i := int(id & (1<<slotBits - 1))
	if i >= s.at.len() {
		return nil
	}
	if t := *s.at.at(i); t != nil && t.id == id {
		return t
	}
	return nil
}

// remove frees t's slot.
func (s *timerSlots) remove(t *timerEntry) {
	i := int32(t.id & (1<<slotBits - 1))
	*s.at.at(int(i)) = nil
	s.free = append(s.free, i)
	s.live--
}

// Repeat says whether a timer fires again after its first run.
type Repeat bool

const (
	// Once fires the timer one time, after its delay.
	Once Repeat = false
	// Repeating fires it after its delay and every delay after that.
	Repeating Repeat = true
)

type timerEntry struct {
	id       TimerID
	interval time.Duration
	fn       func()
	index    int32 // in the heap; -1 once removed
	repeat   bool
	system   bool // the framework's own: not counted, not removed by DelAllTimers
}

// timerRef is a timer in the heap, with its deadline beside it for the
// comparisons.
type timerRef struct {
	when int64 // nanotime
	t    *timerEntry
}

// timerHeap orders timers by deadline, then by id so that timers due at the
// same moment run in the order they were added.
type timerHeap struct{ pages[timerRef] }

func (h *timerHeap) Len() int { return h.n }
func (h *timerHeap) Less(i, j int) bool {
	a, b := h.at(i), h.at(j)
	if a.when != b.when {
		return a.when < b.when
	}
	return a.t.id < b.t.id
}
func (h *timerHeap) Swap(i, j int) {
	a, b := h.at(i), h.at(j)
	*a, *b = *b, *a
	a.t.index = int32(i)
	b.t.index = int32(j)
}
func (h *timerHeap) Push(x any) {
	r := x.(timerRef)
	r.t.index = int32(h.n)
	h.push(r)
}
func (h *timerHeap) Pop() any {
	t := h.at(h.n - 1).t
	h.pop()
	t.index = -1
	return t
}

// add puts r in the heap; unlike heap.Push it boxes nothing.
func (h *timerHeap) add(r timerRef) {
	r.t.index = int32(h.n)
	h.push(r)
	heap.Fix(h, h.n-1)
}

// first is the timer due first; the heap is not empty.
func (h *timerHeap) first() *timerRef { return h.at(0) }

var epoch = time.Now()

// nanotime is monotonic time since the process started.
func nanotime() int64 { return int64(time.Since(epoch)) }

// MinInterval is the shortest interval of a repeating timer: a shorter one
// would fire on every round of the loop and keep a CPU busy.
const MinInterval = time.Millisecond

// AddTimer runs fn on the loop after d, and every d after that when repeat is
// Repeating (d at least MinInterval then). Safe from any goroutine. A negative d
// counts as zero.
func (l *Loop) AddTimer(d time.Duration, repeat Repeat, fn func()) TimerID {
	return l.addTimer(d, repeat, false, fn)
}

// AddSystemTimer is AddTimer for the framework's own timers (sweeps, lingers):
// they are left out of TimerCount and survive DelAllTimers, so that the
// application's timer.Count and timer.DelAll see only its own.
func (l *Loop) AddSystemTimer(d time.Duration, repeat Repeat, fn func()) TimerID {
	return l.addTimer(d, repeat, true, fn)
}

func (l *Loop) addTimer(d time.Duration, repeat Repeat, system bool, fn func()) TimerID {
	if d < 0 {
		d = 0
	}
	if repeat && d < MinInterval {
		d = MinInterval
	}
	t := &timerEntry{interval: d, repeat: bool(repeat), system: system, fn: fn}
	when := nanotime() + int64(d)
	l.tmu.Lock()
	l.seq++
	l.slots.put(t, l.seq)
	l.timers.add(timerRef{when, t})
	if system {
		l.systemTimers++
	}
	first := l.timers.first().t == t
	l.tmu.Unlock()
	if first && !l.InLoop() {
		l.Post(func() {}) // the loop may be asleep with a later deadline
	}
	return t.id
}

// DelTimer removes a timer and reports whether it was still there. Safe from
// any goroutine, and from inside any timer's callback, its own included.
func (l *Loop) DelTimer(id TimerID) bool {
	l.tmu.Lock()
	defer l.tmu.Unlock()
	t := l.slots.get(id)
	if t == nil {
		return false
	}
	l.forget(t)
	if t.index >= 0 {
		heap.Remove(&l.timers, int(t.index))
	}
	return true
}

// forget drops t from the index; the caller holds tmu and takes t off the heap.
func (l *Loop) forget(t *timerEntry) {
	l.slots.remove(t)
	if t.system {
		l.systemTimers--
	}
}

// DelAllTimers removes every timer of the application; the framework's own
// (AddSystemTimer) stay.
func (l *Loop) DelAllTimers() { l.delTimers(false) }

// delTimers removes the application's timers, and the system ones too when
// all is set.
func (l *Loop) delTimers(all bool) {
	l.tmu.Lock()
	defer l.tmu.Unlock()
	h := &l.timers
	kept := 0
	for i := 0; i < h.n; i++ {
		r := *h.at(i)
		if r.t.system && !all {
			r.t.index = int32(kept)
			*h.at(kept) = r
			kept++
			continue
		}
		r.t.index = -1
		l.forget(r.t)
	}
	for h.n > kept {
		h.pop()
	}
	heap.Init(h)
}

// TimerCount is the number of the application's live timers.
func (l *Loop) TimerCount() int {
	l.tmu.Lock()
	defer l.tmu.Unlock()
	return l.slots.live - l.systemTimers
}

// runTimers fires every timer that is due. A repeating timer is rescheduled
// before its callback runs, one interval after its last deadline; a loop that
// fell behind skips the missed ticks rather than firing them in a burst.
func (l *Loop) runTimers() {
	now := nanotime()
	for {
		l.tmu.Lock()
		if l.timers.n == 0 || l.timers.first().when > now {
			l.tmu.Unlock()
			return
		}
		r := l.timers.first()
		t := r.t
		if t.repeat {
			next := r.when + int64(t.interval)
			if next <= now {
				next = now + int64(t.interval)
			}
			r.when = next
			heap.Fix(&l.timers, 0)
		} else {
			heap.Pop(&l.timers)
			l.forget(t)
		}
		l.tmu.Unlock()
		l.fire(t)
		l.flush()
	}
}

func (l *Loop) fire(t *timerEntry) {
	defer func() {
		if r := recover(); r != nil {
			l.Recovered("timer", r)
			l.DelTimer(t.id)
		}
	}()
	t.fn()
}
