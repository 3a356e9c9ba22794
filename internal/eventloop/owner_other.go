//go:build !linux && !amd64 && !arm64

package eventloop

import (
	"bytes"
	"runtime"
	"strconv"
)

// Without a goroutine pointer or thread ids, the goroutine id read from the
// stack header tells the loop apart. It is slow, and only the portable backend
// runs on such systems.
// ownerIsThread: the goroutine id needs no thread of its own.
const ownerIsThread = false

func markOwner(l *Loop) { l.owner.Store(goid()) }

func isOwner(l *Loop) bool { return l.owner.Load() == goid() }

func goid() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	if i := bytes.IndexByte(b, ' '); i > 0 {
		b = b[:i]
	}
	id, _ := strconv.ParseUint(string(b), 10, 64)
	return id
}
