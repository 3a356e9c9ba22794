// Package timer runs functions later, or every so often, on the process's one
// event loop: the same goroutine that runs every connection callback, so a
// timer shares state with connections without locks.
//
//	id := timer.Add(2*time.Second, func() {
//		if c.Status() != connection.StatusEstablished {
//			timer.Del(id)
//			return
//		}
//		c.Send("tick")
//	})
//
// Add repeats, Once fires once, Del stops one timer (also from inside its own
// callback), DelAll stops them all. All four are safe from any goroutine.
//
// Caveats:
//   - A callback must not block: it holds up every connection of the process.
//   - Timers added before the loop runs (in main, before worker.RunAll) wait
//     for it and fire once it starts, in every worker process; a stopped
//     loop drops its timers. The master process drops them: its timers are
//     added from worker.OnMasterStart, and run on the master's own loop.
//   - A panic in a callback is recovered, logged with its stack and counted;
//     a repeating timer that panics is deleted.
//   - Timers keep their order: two timers due at the same moment run in the
//     order they were added. Resolution is the millisecond.
package timer
