package eventloop

import "testing"

func TestSizeClassesDouble(t *testing.T) {
	for _, tt := range []struct {
		n           int
		class, cap_ int
	}{
		{0, 0, 512}, {1, 0, 512}, {512, 0, 512}, {513, 1, 1024}, {1024, 1, 1024},
		{1025, 2, 2048}, {16 << 10, 5, 16 << 10}, {256 << 10, 9, 256 << 10}, {1 << 30, 9, 256 << 10},
	} {
		if c := classFor(tt.n); int(c) != tt.class || minBufSize<<c != tt.cap_ {
			t.Errorf("classFor(%d) = %d (%d bytes), want %d (%d bytes)", tt.n, c, minBufSize<<c, tt.class, tt.cap_)
		}
	}
	// A buffer grown by append to an odd capacity serves the class below.
	for _, tt := range []struct{ cap_, class int }{{512, 0}, {896, 0}, {1024, 1}, {3000, 2}, {256 << 10, 9}} {
		if c := classOf(tt.cap_); c != tt.class {
			t.Errorf("classOf(%d) = %d, want %d", tt.cap_, c, tt.class)
		}
	}
}

func TestAConnectionGetsTheSizeItLastNeeded(t *testing.T) {
	l := newLoop(DefaultBackend())
	c := &Conn{loop: l}
	if b := c.OutBuf(); cap(b) != minBufSize {
		t.Fatalf("a new connection's first buffer holds %d bytes, want %d", cap(b), minBufSize)
	}
	c.SetOutBuf(append(c.OutBuf(), make([]byte, 40<<10)...))
	c.retire()
	if b := c.OutBuf(); cap(b) < 40<<10 || cap(b) > 64<<10 {
		t.Fatalf("after 40 KiB of output the next buffer holds %d bytes", cap(b))
	}
	c.SetOutBuf(append(c.OutBuf()[:0], "small"...))
	c.retire()
	if b := c.OutBuf(); cap(b) > minBufSize<<2 {
		t.Fatalf("after a small output the next buffer still holds %d bytes", cap(b))
	}
}

func TestTheFreeListIsBoundedInBytes(t *testing.T) {
	l := newLoop(DefaultBackend())
	for range 2 * maxFreeBytes / (64 << 10) {
		l.putBuf(make([]byte, 0, 64<<10))
	}
	if l.free.bytes > maxFreeBytes || l.free.bytes < maxFreeBytes-(64<<10) {
		t.Fatalf("the free list holds %d bytes, bound %d", l.free.bytes, maxFreeBytes)
	}
	l.putBuf(make([]byte, 0, maxKeptBuf*2))
	l.putBuf(make([]byte, 0, 100))
	before := l.free.bytes
	b := l.getBuf(classFor(64 << 10))
	if cap(b) != 64<<10 || l.free.bytes != before-cap(b) {
		t.Fatalf("getBuf gave %d bytes; the list went from %d to %d", cap(b), before, l.free.bytes)
	}
	if b := l.getBuf(0); cap(b) != minBufSize {
		t.Fatalf("a small buffer came from a class far larger: %d bytes", cap(b))
	}
}
