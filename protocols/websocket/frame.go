package websocket

import (
	"encoding/binary"
	"math/rand/v2"
)

// Opcodes of RFC 6455 section 5.2.
const (
	opContinuation = 0x0
	opText         = 0x1
	opBinary       = 0x2
	opClose        = 0x8
	opPing         = 0x9
	opPong         = 0xA
)

const (
	finBit  = 0x80
	rsvBits = 0x70
	maskBit = 0x80

	// maxControlPayload is the largest payload of a control frame (section 5.5).
	maxControlPayload = 125
)

// header is a parsed frame header.
type header struct {
	fin    bool
	rsv    byte // the three RSV bits, unshifted
	op     byte
	masked bool
	key    [4]byte
	length uint64 // of the payload
	size   int    // of the header itself
}

// control reports whether the frame is a control frame (close, ping, pong).
func (h *header) control() bool { return h.op&0x8 != 0 }

// parseHeader reads the frame header at the start of b. ok is false while b
// is too short to hold it. It never reads past b, whatever the bytes say.
func parseHeader(b []byte) (h header, ok bool) {
	if len(b) < 2 {
		return h, false
	}
	h.fin = b[0]&finBit != 0
	h.rsv = b[0] & rsvBits
	h.op = b[0] & 0x0F
	h.masked = b[1]&maskBit != 0
	h.size = 2
	switch n := b[1] & 0x7F; n {
	case 126:
		if len(b) < 4 {
			return h, false
		}
		h.length = uint64(binary.BigEndian.Uint16(b[2:]))
		h.size = 4
	case 127:
		if len(b) < 10 {
			return h, false
		}
		h.length = binary.BigEndian.Uint64(b[2:])
		h.size = 10
	default:
		h.length = uint64(n)
	}
	if h.masked {
		if len(b) < h.size+4 {
			return h, false
		}
		copy(h.key[:], b[h.size:])
		h.size += 4
	}
	return h, true
}

// appendHeader appends a frame header for a payload of n bytes; masked
// frames get a fresh random key, which is returned.
func appendHeader(dst []byte, op byte, n int, masked bool) ([]byte, [4]byte) {
	var key [4]byte
	b1 := byte(0)
	if masked {
		b1 = maskBit
	}
	dst = append(dst, finBit|op)
	switch {
	case n < 126:
		dst = append(dst, b1|byte(n))
	case n <= 0xFFFF:
		dst = append(dst, b1|126, byte(n>>8), byte(n))
	default:
		dst = append(dst, b1|127)
		dst = binary.BigEndian.AppendUint64(dst, uint64(n))
	}
	if masked {
		binary.LittleEndian.PutUint32(key[:], newMaskKey())
		dst = append(dst, key[:]...)
	}
	return dst, key
}

// newMaskKey is a client's masking key: unpredictable to the page or program
// that chooses the payload (section 10.3), never all zero. math/rand/v2's
// global source is a ChaCha8 generator the runtime seeds from the operating
// system's entropy, safe for concurrent use and cheap enough per frame.
func newMaskKey() uint32 {
	for {
		if k := rand.Uint32(); k != 0 {
			return k
		}
	}
}

// appendFrame appends a whole unfragmented frame carrying payload; a client
// masks it.
func appendFrame[T string | []byte](dst []byte, op byte, payload T, masked bool) []byte {
	dst, key := appendHeader(dst, op, len(payload), masked)
	start := len(dst)
	dst = append(dst, payload...)
	if masked {
		mask(key, dst[start:])
	}
	return dst
}

// mask XORs b with the masking key in place (section 5.3); masking twice
// unmasks. Eight bytes at a time where it can.
func mask(key [4]byte, b []byte) {
	k32 := binary.LittleEndian.Uint32(key[:])
	k64 := uint64(k32) | uint64(k32)<<32
	for len(b) >= 8 {
		binary.LittleEndian.PutUint64(b, binary.LittleEndian.Uint64(b)^k64)
		b = b[8:]
	}
	for i := range b {
		b[i] ^= key[i&3]
	}
}
