package eventloop

import "math/bits"

// Send and receive buffers come from a free list per loop, sorted into size
// classes (512 bytes, doubling up to 256 KiB) and bounded in bytes. A
// connection asks for the class its previous output needed, so an SSE stream
// holds half a kilobyte while its bytes wait for the kernel, and a connection
// answering pipelined requests gets back a buffer that fits its usual batch:
// in steady state nothing is allocated.
const (
	minBufSize   = 512
	bufClasses   = 10 // minBufSize << 9 = 256 KiB
	maxKeptBuf   = minBufSize << (bufClasses - 1)
	maxFreeBytes = 4 << 20 // what the free list may hold, in all
	recvBufClass = 5       // 16 KiB: receive buffers (Buffer) start here
)

// freeList holds buffers whose bytes are no longer needed, by size class.
type freeList struct {
	bufs  [bufClasses][][]byte
	bytes int
}

// classFor is the smallest class that holds n bytes.
func classFor(n int) uint8 {
	if n <= minBufSize {
		return 0
	}
	c := bits.Len(uint(n-1)) - bits.Len(minBufSize-1)
	return uint8(min(c, bufClasses-1))
}

// classOf is the largest class a buffer of capacity n can serve.
func classOf(n int) int { return bits.Len(uint(n)) - bits.Len(minBufSize) }

// getBuf hands out an empty buffer of at least the given class, from the free
// list when it has one up to two classes larger.
func (l *Loop) getBuf(class uint8) []byte {
	f := &l.free
	for k := int(class); k < min(int(class)+3, bufClasses); k++ {
		if n := len(f.bufs[k]); n > 0 {
			b := f.bufs[k][n-1]
			f.bufs[k][n-1] = nil
			f.bufs[k] = f.bufs[k][:n-1]
			f.bytes -= cap(b)
			return b
		}
	}
	return make([]byte, 0, minBufSize<<class)
}

// putBuf takes back a buffer once its bytes are no longer needed; one too
// small, too large, or past the list's bound is left to the GC.
func (l *Loop) putBuf(b []byte) {
	f := &l.free
	c := cap(b)
	if c < minBufSize || c > maxKeptBuf || f.bytes+c > maxFreeBytes {
		return
	}
	k := classOf(c)
	f.bufs[k] = append(f.bufs[k], b[:0])
	f.bytes += c
}

// output is a connection's pending output: a buffer from the free list, and
// how much of it the kernel has taken (it holds b[sent:] still).
type output struct {
	b    []byte
	sent int
}

// maxSpareOutputs bounds the output records kept for the next connection
// with output: more wait at once only for slow readers.
const maxSpareOutputs = 1024

// getOutput is an empty output record, with no buffer yet.
func (l *Loop) getOutput() *output {
	if o := l.outputs.Get(); o != nil {
		return o
	}
	return &output{}
}

// putOutput takes back a record whose buffer went back to the free list.
func (l *Loop) putOutput(o *output) {
	*o = output{}
	l.outputs.Put(o, maxSpareOutputs)
}

// Buffer hands out an empty buffer from the loop's free list, for bytes a
// connection must hold between reads. Loop-only.
func (l *Loop) Buffer() []byte { return l.getBuf(recvBufClass) }

// Recycle takes back a buffer from Buffer once its bytes are no longer
// needed. Loop-only.
func (l *Loop) Recycle(b []byte) { l.putBuf(b) }
