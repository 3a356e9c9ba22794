package timer

import (
	"time"

	"github.com/workerman-go/workerman/internal/eventloop"
)

// ID names a timer for Del.
type ID uint64

// Add runs fn on the process's event loop every d, first after d; d is at
// least a millisecond. Safe from any goroutine. A repeating timer that falls
// behind skips the ticks it missed.
func Add(d time.Duration, fn func()) ID {
	return ID(eventloop.Default().AddTimer(d, eventloop.Repeating, fn))
}

// Once runs fn once on the event loop after d (Workerman's delay).
func Once(d time.Duration, fn func()) ID {
	return ID(eventloop.Default().AddTimer(d, eventloop.Once, fn))
}

// Del stops a timer and reports whether it was still live. It may be called
// from any goroutine, including from inside the timer's own callback.
func Del(id ID) bool {
	return eventloop.Default().DelTimer(eventloop.TimerID(id))
}

// DelAll stops every timer of the process.
func DelAll() { eventloop.Default().DelAllTimers() }

// Count is the number of live timers, the `timers` column of status.
func Count() int { return eventloop.Default().TimerCount() }
