package worker

import "github.com/workerman-go/workerman/internal/eventloop"

// Post runs fn on the process's event loop. Use it from a goroutine that did
// blocking work to hand the result back to the loop. Safe from any goroutine.
func Post(fn func()) { eventloop.Default().Post(fn) }
