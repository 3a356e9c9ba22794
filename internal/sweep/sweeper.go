package sweep

import (
	"time"

	"github.com/workerman-go/workerman/protocols"
)

var epoch = time.Now()

// Nanotime is the monotonic time in nanoseconds since the process started.
func Nanotime() int64 { return int64(time.Since(epoch)) }

// Sweeper visits the members of a set with one repeating timer, which runs
// only while the set has members. On each tick it asks Due of every member,
// then runs Act on those that are due: acting may remove members (closing a
// connection does), which must not disturb the walk. Loop-only.
type Sweeper[T Member] struct {
	// Due reports whether x needs Act at now (a Nanotime). It must not add
	// or remove members.
	Due func(x T, now int64) bool
	// Act does what a due member needs.
	Act func(x T)

	set   Set[T]
	due   []T
	loop  protocols.Loop
	timer protocols.TimerID
	every time.Duration
	now   int64
}

// Add puts x in the set. The timer starts with the first member, and starts
// again at the finer interval when every is shorter than the current one.
// Every member must run on the loop l.
func (s *Sweeper[T]) Add(x T, l protocols.Loop, every time.Duration) {
	if s.timer == 0 || every < s.every {
		if s.timer != 0 {
			s.loop.DelTimer(s.timer)
		}
		s.loop, s.every, s.now = l, every, Nanotime()
		s.timer = l.AddTimer(every, protocols.Repeating, s.tick)
	}
	s.set.Add(x)
}

// Remove takes x out of the set, stopping the timer after the last member.
func (s *Sweeper[T]) Remove(x T) {
	s.set.Remove(x)
	if s.set.Len() == 0 && s.timer != 0 {
		s.loop.DelTimer(s.timer)
		s.loop, s.timer, s.every = nil, 0, 0
	}
}

// Len is the number of members.
func (s *Sweeper[T]) Len() int { return s.set.Len() }

// Now is the time of the last tick, or of the timer's start: a clock exact
// to one interval that members stamp their changes with instead of reading
// the time on every request.
func (s *Sweeper[T]) Now() int64 { return s.now }

func (s *Sweeper[T]) tick() {
	now := Nanotime()
	s.now = now
	for _, x := range s.set.Items() {
		if s.Due(x, now) {
			s.due = append(s.due, x)
		}
	}
	var zero T
	for i, x := range s.due {
		s.due[i] = zero
		s.Act(x)
	}
	s.due = s.due[:0]
}
