package frame

import (
	"encoding/binary"
	"fmt"

	"github.com/workerman-go/workerman/protocols"
)

// HeaderSize is the length of the big-endian length prefix.
const HeaderSize = 4

// Protocol is the frame protocol. Its zero value is ready to use.
type Protocol struct{}

func init() { protocols.Register("frame", Protocol{}) }

// Name is how tables and logs call the protocol.
func (Protocol) Name() string { return "Frame" }

// Input reads the total length from the header. A length shorter than the
// header itself can never be a frame.
func (Protocol) Input(buf []byte, _ protocols.Conn) (int, error) {
	if len(buf) < HeaderSize {
		return 0, nil
	}
	n := binary.BigEndian.Uint32(buf)
	if n < HeaderSize {
		return 0, fmt.Errorf("frame: bad header: total length %d is shorter than the %d-byte header", n, HeaderSize)
	}
	if uint64(n) > uint64(maxInt) {
		return 0, fmt.Errorf("frame: bad header: total length %d", n)
	}
	return int(n), nil
}

const maxInt = int(^uint(0) >> 1)

// Decode returns the payload as a string.
func (Protocol) Decode(pkg []byte, _ protocols.Conn) (any, error) {
	return string(pkg[HeaderSize:]), nil
}

// Encode appends the header and v (a string, []byte or fmt.Stringer).
func (Protocol) Encode(dst []byte, v any, _ protocols.Conn) ([]byte, error) {
	start := len(dst)
	dst = append(dst, 0, 0, 0, 0)
	dst, err := protocols.AppendBytes(dst, v)
	if err != nil {
		return dst[:start], err
	}
	n := len(dst) - start
	if uint64(n) > 1<<32-1 {
		return dst[:start], fmt.Errorf("frame: %d bytes do not fit a frame", n)
	}
	binary.BigEndian.PutUint32(dst[start:], uint32(n))
	return dst, nil
}
