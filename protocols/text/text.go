package text

import (
	"bytes"
	"fmt"

	"github.com/workerman-go/workerman/protocols"
)

// Protocol is the text protocol. Its zero value is ready to use.
type Protocol struct{}

func init() { protocols.Register("text", Protocol{}) }

// Name is how tables and logs call the protocol.
func (Protocol) Name() string { return "Text" }

// Input returns the length of the first line, newline included. A buffer that
// reaches the connection's package limit is an error even if it holds a
// newline, as in Workerman.
func (Protocol) Input(buf []byte, c protocols.Conn) (int, error) {
	if limit := c.PackageLimit(); len(buf) >= limit {
		return 0, fmt.Errorf("text: %d buffered bytes reach the package limit of %d", len(buf), limit)
	}
	if i := bytes.IndexByte(buf, '\n'); i >= 0 {
		return i + 1, nil
	}
	return 0, nil
}

// Decode returns the line as a string, without its trailing CR and LF bytes.
func (Protocol) Decode(pkg []byte, _ protocols.Conn) (any, error) {
	return string(bytes.TrimRight(pkg, "\r\n")), nil
}

// Encode appends v (a string, []byte or fmt.Stringer) and a newline.
func (Protocol) Encode(dst []byte, v any, _ protocols.Conn) ([]byte, error) {
	dst, err := protocols.AppendBytes(dst, v)
	if err != nil {
		return dst, err
	}
	return append(dst, '\n'), nil
}
