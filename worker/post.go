package worker

import "github.com/workerman-go/workerman/internal/eventloop"

// Post runs fn on the process's event loop. Use it from a goroutine that did
// blocking work to hand the result back to the loop. Safe from any goroutine.
func Post(fn func()) { eventloop.Default().Post(fn) }

// OnLoop reports whether the caller runs on the process's event loop, where
// loop-only methods may be called directly.
func OnLoop() bool { return eventloop.Default().InLoop() }
