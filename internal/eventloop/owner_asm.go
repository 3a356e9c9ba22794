//go:build amd64 || arm64

package eventloop

// getg returns the address of the running goroutine's descriptor: a few
// instructions, where a thread-id system call costs around 80 ns on every Send.
func getg() uintptr

// ownerIsThread: the goroutine pointer needs no thread of its own.
const ownerIsThread = false

func markOwner(l *Loop) { l.owner.Store(uint64(getg())) }

func isOwner(l *Loop) bool { return l.owner.Load() == uint64(getg()) }
