package websocket

import (
	"compress/flate"
	"errors"
	"io"
	"sync"
	"unsafe"
)

// rsv1 marks the first frame of a compressed message (RFC 7692 section 6).
const rsv1 = 0x40

// windowSize is the LZ77 window of DEFLATE, the most a message may refer back.
const windowSize = 32 << 10

// deflateTail ends the payload handed to the inflater: the 0x00 0x00 0xff 0xff
// a sender strips (RFC 7692 section 7.2.2), then an empty final block, so that
// the inflater ends at the end of the message instead of asking for more.
const deflateTail = "\x00\x00\xff\xff\x01\x00\x00\xff\xff"

// errInflatedTooBig: a compressed message inflates past the connection's limit.
var errInflatedTooBig = errors.New("websocket: inflated message over the limit")

// deflate is the permessage-deflate state of a connection that negotiated
// it. Without context takeover it holds no flate state between messages:
// compressors and inflaters come from pools for one message at a time.
type deflate struct {
	threshold int  // messages shorter than this are sent uncompressed
	keepWrite bool // our compressor keeps its window between messages
	keepRead  bool // the peer's does, so inflate with the last window as dictionary

	w    *deflater // ours alone, with keepWrite, from the first compressed message
	dict []byte    // with keepRead: the last windowSize bytes the peer's messages inflated to
}

// deflater is a flate compressor writing into its own buffer. A
// *flate.Writer is about 1.2 MB whatever the level, hence the free list.
type deflater struct {
	fw  *flate.Writer
	out []byte
}

func (d *deflater) Write(p []byte) (int, error) {
	d.out = append(d.out, p...)
	return len(p), nil
}

var deflaters = freeList[*deflater]{make: func() *deflater {
	d := &deflater{}
	// BestSpeed: its Reset costs nothing, where the other levels clear 640 KiB.
	d.fw, _ = flate.NewWriter(d, flate.BestSpeed)
	return d
}}

// inflater is a flate decompressor with the buffer it inflates into; about
// 40 KB, kept in a free list.
type inflater struct {
	fr  io.ReadCloser
	src source
	out []byte
}

var inflaters = freeList[*inflater]{make: func() *inflater {
	in := &inflater{}
	in.fr = flate.NewReader(&in.src)
	return in
}}

// keptFree is how many compressors, and how many inflaters, a process keeps
// for the next message. A message uses one from start to end within one
// call on the loop, so a process seldom needs more than one of each; a
// sync.Pool would drop them at every garbage collection, and a 1.2 MB
// compressor is dear to make again.
const keptFree = 4

// freeList keeps up to keptFree values for reuse.
type freeList[T any] struct {
	mu   sync.Mutex
	free []T
	make func() T
}

func (l *freeList[T]) get() T {
	l.mu.Lock()
	defer l.mu.Unlock()
	if n := len(l.free); n > 0 {
		v := l.free[n-1]
		l.free = l.free[:n-1]
		return v
	}
	return l.make()
}

func (l *freeList[T]) put(v T) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.free) < keptFree {
		l.free = append(l.free, v)
	}
}

// source is a compressed payload followed by deflateTail, as a flate.Reader.
type source struct {
	p    []byte
	tail int // bytes of deflateTail already read
}

func (s *source) ReadByte() (byte, error) {
	if len(s.p) > 0 {
		b := s.p[0]
		s.p = s.p[1:]
		return b, nil
	}
	if s.tail < len(deflateTail) {
		s.tail++
		return deflateTail[s.tail-1], nil
	}
	return 0, io.EOF
}

func (s *source) Read(b []byte) (int, error) {
	n := copy(b, s.p)
	s.p = s.p[n:]
	m := copy(b[n:], deflateTail[s.tail:])
	s.tail += m
	if n+m == 0 && len(b) > 0 {
		return 0, io.EOF
	}
	return n + m, nil
}

// appendCompressed appends a message as one compressed frame: op with RSV1,
// the DEFLATE blocks without their final 0x00 0x00 0xff 0xff. Without
// context takeover, a message that does not shrink goes uncompressed.
func (z *deflate) appendCompressed(dst []byte, op byte, p []byte, masked bool) []byte {
	d := z.w
	if d == nil {
		d = deflaters.get()
		d.fw.Reset(d)
		if z.keepWrite {
			z.w = d
		}
	}
	d.out = d.out[:0]
	d.fw.Write(p) // a deflater's Write never fails
	d.fw.Flush()
	out := d.out[:len(d.out)-4]
	if !z.keepWrite && len(out) >= len(p) {
		dst = appendFrame(dst, op, p, masked)
	} else {
		dst = appendFrame(dst, op|rsv1, out, masked)
	}
	if !z.keepWrite {
		putDeflater(d)
	}
	return dst
}

func putDeflater(d *deflater) {
	if cap(d.out) > maxKeptFragments {
		d.out = nil
	}
	deflaters.put(d)
}

// inflate inflates a compressed message of at most limit bytes into an
// inflater's buffer, which the caller hands back with release. Past limit it
// stops and returns errInflatedTooBig: a small payload that inflates to
// gigabytes (a decompression bomb) costs no more than limit.
func (z *deflate) inflate(p []byte, limit int) (*inflater, error) {
	in := inflaters.get()
	in.src = source{p: p}
	in.fr.(flate.Resetter).Reset(&in.src, z.dict)
	out := in.out[:0]
	for {
		if len(out) == cap(out) {
			if len(out) > limit {
				in.out = out
				return in, errInflatedTooBig
			}
			out = growWithin(out, 1, limit+1)
		}
		n, err := in.fr.Read(out[len(out):cap(out)])
		out = out[:len(out)+n]
		in.out = out
		if len(out) > limit {
			return in, errInflatedTooBig
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return in, err
		}
	}
	if z.keepRead {
		z.dict = appendWindow(z.dict, out)
	}
	return in, nil
}

// inflateFragment inflates the next fragment of a message into s, which
// getStream gave with z.dict; last says it ends the message, which is then
// s.out. It returns what the fragment inflated to, errInflatedTooBig past
// the limit, or why the data does not inflate.
func (z *deflate) inflateFragment(s *stream, p []byte, last bool) ([]byte, error) {
	before := len(s.out)
	err := s.push(p, false)
	if err == nil && last {
		err = s.push(bytesOf(deflateTail), true)
		if err == nil && z.keepRead {
			z.dict = appendWindow(z.dict, s.out)
		}
	}
	return s.out[before:], err
}

// release hands an inflater back to the pool.
func (z *deflate) release(in *inflater) {
	in.src = source{}
	if cap(in.out) > maxKeptFragments {
		in.out = nil
	}
	inflaters.put(in)
}

// appendWindow keeps the last windowSize bytes of dict followed by b.
func appendWindow(dict, b []byte) []byte {
	if len(b) >= windowSize {
		return append(dict[:0], b[len(b)-windowSize:]...)
	}
	if keep := windowSize - len(b); len(dict) > keep {
		dict = dict[:copy(dict, dict[len(dict)-keep:])]
	}
	return append(dict, b...)
}

// closed hands a connection's own compressor back to the pool.
func (z *deflate) closed() {
	if z.w != nil {
		putDeflater(z.w)
		z.w = nil
	}
	z.dict = nil
}

// bytesOf is s without a copy, for framing and compressing, which only read it.
func bytesOf(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }
