//go:build !linux

package eventloop

import (
	"bytes"
	"runtime"
	"strconv"
)

// Without thread ids the goroutine id, read from the stack header, tells the
// loop apart. It is slower, and only the portable backend runs here.
func markThread(l *Loop) { l.goid.Store(goid()) }

func onThread(l *Loop) bool { return l.goid.Load() == goid() }

func goid() int64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	if i := bytes.IndexByte(b, ' '); i > 0 {
		b = b[:i]
	}
	id, _ := strconv.ParseInt(string(b), 10, 64)
	return id
}
