// Package eventloop is the reactor under every worker process: one goroutine
// that waits for sockets, runs tasks posted from
// other goroutines, fires timers and writes what the callbacks sent. Because
// everything runs there one at a time, the code above it shares state
// without locks.
//
// A process has one loop, Default. Workers Acquire it to start it and Release
// it to stop it; the last Release closes every listener and connection still
// open (their OnClose runs), drops every timer, and returns once every
// goroutine and file descriptor of the loop is gone.
//
// One round of the loop:
//
//  1. wait for readiness, a wake-up or the next timer;
//  2. for each ready socket: accept, or read into the loop's one 64 KiB read
//     buffer and hand the bytes to the connection's Handler, whose callbacks
//     append replies to the connection's output; tasks the callback posted
//     run as it returns, before the next socket;
//  3. run the tasks posted since the last round, then the timers that are due;
//  4. after each callback (a read's packages, a task, a timer): one write per
//     connection it sent to. A callback that sends to many connections has
//     them written every 64 connections or 64 KiB while it runs, and their
//     OnDrain waits until it returns.
//
// Send buffers come from a free list per loop in size classes (512 bytes up
// to 256 KiB, at most 4 MiB kept); a connection holds one only while the
// kernel has not taken its bytes, and gets the size it last needed.
//
// Two backends do the waiting. Epoll (Linux, the default there) drives
// non-blocking sockets from the loop goroutine alone; when nothing is ready
// the loop parks in the Go runtime's poller on the epoll descriptor, so it
// wakes like any goroutine instead of having to win a scheduler slot back. Portable runs anywhere:
// a reader and a writer goroutine per connection and an accept goroutine per
// listener do blocking net.Conn calls and hand their results to the loop as
// tasks. Choose with SetBackend while no loop runs, or with
// WORKERMAN_EVENT_LOOP=portable.
//
// A file per concept (listen, dial, conn, packet, flush, sendbuf, timer),
// each with its epoll half in a _linux.go file and its portable half in a
// _portable.go one.
//
// Caveats:
//   - Methods documented as loop-only must run on the loop goroutine (a
//     callback, a task or a timer); anywhere else they race. Post, Exec,
//     InLoop, the timer methods and Panics are safe from any goroutine.
//   - The bytes OnData receives belong to the loop and are reused by the next
//     read: copy what must outlive the call.
//   - A callback, task or timer that blocks holds up every connection of the
//     process; a panic in one is recovered by the layer that called it, logged
//     with its stack by Recovered and counted in Panics.
//   - Accept errors that repeat (out of descriptors) are logged once per
//     AcceptLogInterval with a count of those held back; the epoll listener
//     retries every 100 ms.
//   - Timers wait for a loop that is not running yet and fire once it runs; a
//     stopped loop drops its timers. The loop stays the process's loop across
//     stops and starts, and never reuses a timer id.
//   - The portable backend reads a connection's next chunk only after the
//     loop has handled the previous one, and keeps one write in flight; its
//     goroutine hand-offs cost more per message than epoll does.
package eventloop
