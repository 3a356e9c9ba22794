//go:build linux && !amd64 && !arm64

package eventloop

import "syscall"

// The loop goroutine is locked to its thread, and no other goroutine runs on a
// locked thread, so the thread id tells the loop apart from everyone else.
// ownerIsThread: the thread id identifies the loop only while it is locked to
// its thread.
const ownerIsThread = true

func markOwner(l *Loop) { l.owner.Store(uint64(syscall.Gettid())) }

func isOwner(l *Loop) bool { return l.owner.Load() == uint64(syscall.Gettid()) }
