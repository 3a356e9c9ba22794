//go:build linux

package eventloop

import "syscall"

// The loop goroutine is locked to its thread, and no other goroutine runs on a
// locked thread, so the thread id tells the loop apart from everyone else.
func markThread(l *Loop) { l.tid.Store(int64(syscall.Gettid())) }

func onThread(l *Loop) bool { return l.tid.Load() == int64(syscall.Gettid()) }
