package websocket

import (
	"errors"
	"math/bits"
	"sync/atomic"
)

// stream inflates a fragmented compressed message fragment by fragment, so
// that what each fragment inflates to is checked (UTF-8, the size limit) as
// it arrives. Go's compress/flate cannot do it: it hands out a block's
// bytes only when the block ends or its 32 KiB window fills, and a reader
// whose input runs dry is dead for good. This is RFC 1951 as a state machine
// that stops at any byte and takes up again with the next fragment: what
// it holds between fragments is its bit buffer and its place in a block.
// It inflates straight into the message, which is the window that back
// references reach into (with the last window before it under context
// takeover). It takes and refuses what compress/flate does (FuzzStream
// holds it to that).
type stream struct {
	out   []byte // the message inflated so far
	dict  []byte // the peer's last window, with context takeover
	limit int    // out never grows past it

	in   []byte // the piece being inflated, read from pos on
	pos  int
	bits uint64 // bits taken from in and not yet used, the next lowest
	nb   uint

	step   byte // what comes next in the DEFLATE data
	last   bool // the block under way is the last (BFINAL)
	stored int  // bytes left in a stored block
	nlit   int  // a dynamic block's literal/length codes,
	ndist  int  // its distance codes,
	nclen  int  // and its code length codes
	i      int  // code lengths read so far
	lens   [maxLit + maxDist]uint8
	lit    *huffman // the block's codes: fixed ones, or h's
	dist   *huffman
	h      [2]huffman
}

const (
	stepHeader    = iota // the 3 bits of a block header
	stepStoredLen        // a stored block's LEN and NLEN
	stepStored           // its bytes
	stepDynamic          // a dynamic block's counts of codes
	stepCodeLens         // the lengths of its code length code
	stepLens             // its literal/length and distance code lengths
	stepCodes            // a Huffman block's symbols
	stepDone             // the last block ended: the rest is ignored
)

const (
	maxLit   = 286 // literal/length codes in use
	maxDist  = 30  // distance codes in use
	maxCodes = 288 // codes of the fixed literal/length code, two of them unused
)

var (
	errShort   = errors.New("DEFLATE data continues in the next fragment")
	errBadData = errors.New("invalid DEFLATE data")
	errNoEnd   = errors.New("DEFLATE data ends inside a block")
)

// huffman is a canonical Huffman code: how many codes have each length, the
// symbols in code order, and for the codes of up to fastBits bits, the
// symbol and length (symbol<<4 | length) at every index whose low bits are
// the code as it arrives, first bit lowest.
type huffman struct {
	count  [16]uint16
	symbol [maxCodes]uint16
	fast   [1 << fastBits]uint16
}

const fastBits = 9

// build makes the code of lengths. Like compress/flate (and zlib), it takes
// a complete code, a code of one symbol of length 1, or no code at all
// (which fails when used).
func (h *huffman) build(lengths []uint8) bool {
	h.count = [16]uint16{}
	for _, l := range lengths {
		h.count[l]++
	}
	h.count[0] = 0
	var offs [16]uint16
	left := 1
	for l := 1; l < 16; l++ {
		offs[l] = offs[l-1] + h.count[l-1]
		left = left<<1 - int(h.count[l])
		if left < 0 {
			return false // over-subscribed
		}
	}
	if n := int(offs[15] + h.count[15]); left > 0 && n > 0 && !(n == 1 && h.count[1] == 1) {
		return false // incomplete
	}
	var next [16]int // the next code of each length, RFC 1951 section 3.2.2
	for l, code := 1, 0; l < 16; l++ {
		code = (code + int(h.count[l-1])) << 1
		next[l] = code
	}
	h.fast = [1 << fastBits]uint16{}
	for s, l := range lengths {
		if l == 0 {
			continue
		}
		h.symbol[offs[l]] = uint16(s)
		offs[l]++
		code := next[l]
		next[l]++
		if l <= fastBits {
			for i := int(bits.Reverse16(uint16(code)) >> (16 - l)); i < len(h.fast); i += 1 << l {
				h.fast[i] = uint16(s)<<4 | uint16(l)
			}
		}
	}
	return true
}

// The fixed codes of RFC 1951 section 3.2.6; the distance code has 32
// symbols so that 30 and 31 decode, to be refused like compress/flate does.
var fixedLit, fixedDist = func() (*huffman, *huffman) {
	var l [maxCodes]uint8
	for i := range l {
		switch {
		case i < 144, i >= 280:
			l[i] = 8
		case i < 256:
			l[i] = 9
		default:
			l[i] = 7
		}
	}
	var d [32]uint8
	for i := range d {
		d[i] = 5
	}
	lit, dist := &huffman{}, &huffman{}
	lit.build(l[:])
	dist.build(d[:])
	return lit, dist
}()

// The order of the code length code's lengths, and the bases and extra bits
// of lengths (symbols 257 on) and distances (RFC 1951 section 3.2.5).
var (
	codeOrder = [19]uint8{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}
	lenBase   = [29]uint16{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	lenExtra  = [29]uint8{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	distBase  = [30]uint16{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
	distExtra = [30]uint8{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}
)

// maxStreams is how many fragmented compressed messages a process inflates
// as they come at once. Each holds what it inflated so far, up to the
// package limit, for a few compressed bytes: past the cap, a message's
// fragments wait compressed and are checked when it is whole.
const maxStreams = 16

var (
	streamsOut  atomic.Int32
	freeStreams = freeList[*stream]{make: func() *stream { return new(stream) }}
)

// getStream is a stream for a message of at most limit bytes whose back
// references may reach into dict, or nil when maxStreams are in use.
func getStream(dict []byte, limit int) *stream {
	if streamsOut.Add(1) > maxStreams {
		streamsOut.Add(-1)
		return nil
	}
	s := freeStreams.get()
	s.reset(dict, limit)
	return s
}

// putStream hands a stream back once its message is delivered or dropped.
func putStream(s *stream) {
	s.reset(nil, 0)
	freeStreams.put(s)
	streamsOut.Add(-1)
}

// reset readies s for a message of at most limit bytes whose back
// references may reach into dict.
func (s *stream) reset(dict []byte, limit int) {
	out := s.out[:0]
	if cap(out) > maxKeptFragments {
		out = nil
	}
	*s = stream{out: out, dict: dict, limit: limit}
}

// push inflates the next piece of the message's DEFLATE data onto s.out:
// past the limit it returns errInflatedTooBig, on data compress/flate would
// refuse errBadData, and with end (the piece ends the message) errNoEnd
// unless the last block is complete.
func (s *stream) push(p []byte, end bool) error {
	s.in, s.pos = p, 0
	var err error
	for s.step != stepDone && err == nil {
		err = s.next()
	}
	if err == errShort {
		// What is left is less than the step needs, at most 48 bits: keep
		// it in the bit buffer and wait for the next piece.
		for ; s.pos < len(s.in); s.pos++ {
			s.bits |= uint64(s.in[s.pos]) << s.nb
			s.nb += 8
		}
		err = nil
	}
	s.in = nil
	if err == nil && end && s.step != stepDone {
		err = errNoEnd
	}
	return err
}

// need makes sure n bits (at most 56) are in the bit buffer.
func (s *stream) need(n uint) bool {
	for s.nb < n {
		if s.pos == len(s.in) {
			return false
		}
		s.bits |= uint64(s.in[s.pos]) << s.nb
		s.pos++
		s.nb += 8
	}
	return true
}

// take uses n bits, which need made sure of.
func (s *stream) take(n uint) int {
	v := int(s.bits & (1<<n - 1))
	s.bits >>= n
	s.nb -= n
	return v
}

// next does one step. Short of data (errShort) it stays where the step, or
// the code length or symbol under way, began: the bits it took back in the
// bit buffer, the bytes it read left in s.in. Stored bytes go out as they
// come.
func (s *stream) next() error {
	switch s.step {
	case stepHeader:
		if !s.need(3) {
			return errShort
		}
		s.last = s.take(1) == 1
		switch s.take(2) {
		case 0:
			s.take(s.nb & 7) // a stored block starts on a byte
			s.step = stepStoredLen
		case 1:
			s.lit, s.dist, s.step = fixedLit, fixedDist, stepCodes
		case 2:
			s.step = stepDynamic
		default:
			return errBadData
		}
	case stepStoredLen:
		if !s.need(32) {
			return errShort
		}
		n, nn := s.take(16), s.take(16)
		if n != ^nn&0xffff {
			return errBadData
		}
		s.stored, s.step = n, stepStored
		s.endStored()
	case stepStored:
		for s.stored > 0 && s.nb >= 8 { // bytes the bit buffer holds
			if err := s.room(1); err != nil {
				return err
			}
			s.out = append(s.out, byte(s.take(8)))
			s.stored--
		}
		n := min(s.stored, len(s.in)-s.pos)
		if err := s.room(n); err != nil {
			return err
		}
		s.out = append(s.out, s.in[s.pos:s.pos+n]...)
		s.pos += n
		s.stored -= n
		if !s.endStored() {
			return errShort
		}
	case stepDynamic:
		if !s.need(14) {
			return errShort
		}
		s.nlit, s.ndist, s.nclen = s.take(5)+257, s.take(5)+1, s.take(4)+4
		if s.nlit > maxLit || s.ndist > maxDist {
			return errBadData
		}
		s.i, s.lens = 0, [maxLit + maxDist]uint8{}
		s.step = stepCodeLens
	case stepCodeLens:
		for ; s.i < s.nclen; s.i++ {
			if !s.need(3) {
				return errShort
			}
			s.lens[codeOrder[s.i]] = uint8(s.take(3))
		}
		if !s.h[0].build(s.lens[:19]) {
			return errBadData
		}
		s.i, s.step = 0, stepLens
	case stepLens:
		return s.codeLens()
	case stepCodes:
		return s.symbols()
	}
	return nil
}

// endStored ends a stored block whose bytes are all out.
func (s *stream) endStored() bool {
	if s.stored > 0 {
		return false
	}
	s.endBlock()
	return true
}

func (s *stream) endBlock() {
	s.step = stepHeader
	if s.last {
		s.step = stepDone
	}
}

// codeLens reads a dynamic block's code lengths, each with its repeat, then
// makes its codes.
func (s *stream) codeLens() error {
	n := s.nlit + s.ndist
	for s.i < n {
		b, nb, pos := s.bits, s.nb, s.pos
		sym, err := s.decode(&s.h[0])
		if err != nil {
			return err
		}
		if sym < 16 {
			s.lens[s.i] = uint8(sym)
			s.i++
			continue
		}
		if sym == 16 && s.i == 0 {
			return errBadData // a repeat with nothing to repeat
		}
		// 16 repeats the last length 3 to 6 times, 17 and 18 give 3 to 10
		// and 11 to 138 zeros.
		extra, base := [3]uint{2, 3, 7}[sym-16], [3]int{3, 3, 11}[sym-16]
		if !s.need(extra) {
			s.bits, s.nb, s.pos = b, nb, pos // back to the repeat's code
			return errShort
		}
		var v uint8
		if sym == 16 {
			v = s.lens[s.i-1]
		}
		rep := base + s.take(extra)
		if s.i+rep > n {
			return errBadData
		}
		for ; rep > 0; rep-- {
			s.lens[s.i] = v
			s.i++
		}
	}
	if !s.h[0].build(s.lens[:s.nlit]) || !s.h[1].build(s.lens[s.nlit:n]) {
		return errBadData
	}
	s.lit, s.dist, s.step = &s.h[0], &s.h[1], stepCodes
	return nil
}

// symbols inflates a Huffman block's literals and copies until its end.
func (s *stream) symbols() error {
	for {
		b, nb, pos := s.bits, s.nb, s.pos
		sym, err := s.decode(s.lit)
		switch {
		case err != nil:
			return err
		case sym < 256:
			if err := s.room(1); err != nil {
				return err
			}
			s.out = append(s.out, byte(sym))
			continue
		case sym == 256:
			s.endBlock()
			return nil
		case sym >= maxLit:
			return errBadData
		}
		length, dist, err := s.copyCode(sym - 257)
		if err == errShort {
			s.bits, s.nb, s.pos = b, nb, pos // back to the length's code
		}
		if err == nil {
			err = s.copyBack(dist, length)
		}
		if err != nil {
			return err
		}
	}
}

// copyCode reads the rest of a copy whose length symbol is the i-th: the
// length's extra bits, the distance's code and extra bits.
func (s *stream) copyCode(i int) (length, dist int, err error) {
	if !s.need(uint(lenExtra[i])) {
		return 0, 0, errShort
	}
	length = int(lenBase[i]) + s.take(uint(lenExtra[i]))
	d, err := s.decode(s.dist)
	switch {
	case err != nil:
		return 0, 0, err
	case d >= maxDist:
		return 0, 0, errBadData
	case !s.need(uint(distExtra[d])):
		return 0, 0, errShort
	}
	return length, int(distBase[d]) + s.take(uint(distExtra[d])), nil
}

// decode reads one symbol of h: a short code at one look, a longer one (or
// one cut short by the end of the data) a bit at a time.
func (s *stream) decode(h *huffman) (int, error) {
	s.need(fastBits) // as many as there are: the bits past s.nb read as 0
	if e := h.fast[s.bits&(1<<fastBits-1)]; e != 0 && uint(e&15) <= s.nb {
		s.take(uint(e & 15))
		return int(e >> 4), nil
	}
	code, first, index := 0, 0, 0
	for l := 1; l < 16; l++ {
		if !s.need(uint(l)) {
			return 0, errShort
		}
		code |= int(s.bits>>(l-1)) & 1
		count := int(h.count[l])
		if code-first < count {
			s.take(uint(l))
			return int(h.symbol[index+code-first]), nil
		}
		index += count
		first = (first + count) << 1
		code <<= 1
	}
	return 0, errBadData // no symbol has this code
}

// copyBack appends length bytes from dist bytes back, in the message or in
// the window before it.
func (s *stream) copyBack(dist, length int) error {
	if dist > len(s.out)+len(s.dict) {
		return errBadData
	}
	if err := s.room(length); err != nil {
		return err
	}
	for from := len(s.out) - dist; length > 0; from = len(s.out) - dist {
		var src []byte
		if from < 0 {
			src = s.dict[len(s.dict)+from:]
		} else {
			src = s.out[from:] // overlapping: at most dist bytes at a time
		}
		n := min(length, len(src))
		s.out = append(s.out, src[:n]...)
		length -= n
	}
	return nil
}

// room makes room for n more bytes of output, within the limit.
func (s *stream) room(n int) error {
	if len(s.out)+n > s.limit {
		return errInflatedTooBig
	}
	s.out = growWithin(s.out, n, s.limit)
	return nil
}

// growWithin gives b room for n more bytes, growing it twofold but never
// past limit bytes.
func growWithin(b []byte, n, limit int) []byte {
	if len(b)+n <= cap(b) {
		return b
	}
	grown := make([]byte, len(b), min(max(2*cap(b), len(b)+n, 4096), limit))
	return grown[:copy(grown, b)]
}
