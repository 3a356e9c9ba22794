package prototest

import (
	"time"

	"github.com/workerman-go/workerman/protocols"
)

// Loop is a protocols.Loop for tests. Its zero value is ready. Not safe for
// concurrent use, like the loop it stands in for.
type Loop struct {
	posted []func()
	timers map[protocols.TimerID]*timer
	next   protocols.TimerID
	// Panics counts Recovered calls, and Where holds the last one's place.
	Panics int
	Where  string
}

type timer struct {
	every  time.Duration
	repeat bool
	fn     func()
}

var _ protocols.Loop = (*Loop)(nil)

// AddTimer records a timer; Fire runs it.
func (l *Loop) AddTimer(d time.Duration, repeat protocols.Repeat, fn func()) protocols.TimerID {
	if l.timers == nil {
		l.timers = map[protocols.TimerID]*timer{}
	}
	l.next++
	l.timers[l.next] = &timer{every: d, repeat: repeat == protocols.Repeating, fn: fn}
	return l.next
}

// DelTimer forgets a timer.
func (l *Loop) DelTimer(id protocols.TimerID) { delete(l.timers, id) }

// Post records fn; RunPosted runs it.
func (l *Loop) Post(fn func()) { l.posted = append(l.posted, fn) }

// Recovered counts the panic.
func (l *Loop) Recovered(where string, _ any) { l.Panics++; l.Where = where }

// RunPosted runs what was posted, in order, including what that posts.
func (l *Loop) RunPosted() {
	for len(l.posted) > 0 {
		fn := l.posted[0]
		l.posted = l.posted[1:]
		fn()
	}
}

// Timers is the number of live timers.
func (l *Loop) Timers() int { return len(l.timers) }

// Every is the interval of timer id (0 when it is not live).
func (l *Loop) Every(id protocols.TimerID) time.Duration {
	if t, ok := l.timers[id]; ok {
		return t.every
	}
	return 0
}

// Fire runs every live timer once, as if each had come due; a one-shot
// timer is gone afterwards. Timers added by the callbacks wait for the next
// Fire.
func (l *Loop) Fire() {
	ids := make([]protocols.TimerID, 0, len(l.timers))
	for id := range l.timers {
		ids = append(ids, id)
	}
	for _, id := range ids {
		t, ok := l.timers[id]
		if !ok {
			continue // stopped by an earlier callback
		}
		if !t.repeat {
			delete(l.timers, id)
		}
		t.fn()
	}
}
