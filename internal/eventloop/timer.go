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

// timerSlots holds the live timers by slot, reusing the slots of the gone.
type timerSlots struct {
	at   []*timerEntry
	free []int32
	live int
}

// put gives t a slot and the id that names it there.
func (s *timerSlots) put(t *timerEntry, seq uint64) {
	var i int
	if n := len(s.free); n > 0 {
		i = int(s.free[n-1])
		s.free = s.free[:n-1]
		s.at[i] = t
	} else {
		if len(s.at) == 1<<slotBits {
			panic("eventloop: more than 2^24 live timers")
		}
		i = len(s.at)
		s.at = append(s.at, t)
	}
	t.id = TimerID(seq<<slotBits | uint64(i))
	s.live++
}

// get is the live timer named id, or nil.
func (s *timerSlots) get(id TimerID) *timerEntry {
	i := int(id & (1<<slotBits - 1))
	if i >= len(s.at) || s.at[i] == nil || s.at[i].id != id {
		return nil
	}
	return s.at[i]
}

// remove frees t's slot.
func (s *timerSlots) remove(t *timerEntry) {
	i := int32(t.id & (1<<slotBits - 1))
	s.at[i] = nil
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
	when     int64 // nanotime
	interval time.Duration
	repeat   bool
	system   bool // the framework's own: not counted, not removed by DelAllTimers
	fn       func()
	index    int // in the heap; -1 once removed
}

// timerHeap orders timers by deadline, then by id so that timers due at the
// same moment run in the order they were added.
type timerHeap []*timerEntry

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if h[i].when != h[j].when {
		return h[i].when < h[j].when
	}
	return h[i].id < h[j].id
}
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}
func (h *timerHeap) Push(x any) {
	t := x.(*timerEntry)
	t.index = len(*h)
	*h = append(*h, t)
}
func (h *timerHeap) Pop() any {
	old := *h
	n := len(old)
	t := old[n-1]
	old[n-1] = nil
	t.index = -1
	*h = old[:n-1]
	return t
}

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
	t := &timerEntry{when: nanotime() + int64(d), interval: d, repeat: bool(repeat), system: system, fn: fn}
	l.tmu.Lock()
	l.seq++
	l.slots.put(t, l.seq)
	heap.Push(&l.timers, t)
	if system {
		l.systemTimers++
	}
	first := l.timers[0] == t
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
		heap.Remove(&l.timers, t.index)
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
	kept := l.timers[:0]
	for _, t := range l.timers {
		if t.system && !all {
			t.index = len(kept)
			kept = append(kept, t)
			continue
		}
		t.index = -1
		l.forget(t)
	}
	clear(l.timers[len(kept):])
	l.timers = kept
	heap.Init(&l.timers)
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
		if len(l.timers) == 0 || l.timers[0].when > now {
			l.tmu.Unlock()
			return
		}
		t := l.timers[0]
		if t.repeat {
			next := t.when + int64(t.interval)
			if next <= now {
				next = now + int64(t.interval)
			}
			t.when = next
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
